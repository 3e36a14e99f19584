import { z } from 'zod';
import { removeMember as remove } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { MemberInput } from './schemas.ts';

/** Removes a member (or, for oneself, leaves the team); the last owner cannot be removed. */
export const removeMember = authedProcedure.meta({ action: 'team.member.remove' }).input(MemberInput).output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx, input }) => {
  await remove(ctx.actor, input, ctx.db);
  return { ok: true as const };
});
