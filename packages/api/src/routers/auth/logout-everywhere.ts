import { z } from 'zod';
import { logoutEverywhere as endAll } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

/** Ends every session of the caller's user, on every browser, this one included. */
export const logoutEverywhere = authedProcedure.meta({ action: 'auth.logout-everywhere' }).output(z.object({ sessions: z.number() })).mutation(async ({ ctx }) => {
  const r = await endAll(ctx.actor, ctx.db);
  ctx.setSessionCookie('', 0);
  return r;
});
