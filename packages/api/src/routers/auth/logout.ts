import { z } from 'zod';
import { logout as end } from '@berth/core';
import { publicProcedure } from '../../trpc.ts';

export const logout = publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
  if (ctx.sessionToken) await end(ctx.sessionToken, ctx.db);
  ctx.setSessionCookie('', 0);
  return { ok: true as const };
});
