import { setMemberRole as set } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { TeamRole } from '../users/schemas.ts';
import { MemberInput, MemberView } from './schemas.ts';

/** Changes a member's role; the last owner cannot be demoted. */
export const setMemberRole = authedProcedure.meta({ action: 'team.member.set-role' }).input(MemberInput.extend({ role: TeamRole })).output(MemberView).mutation(({ ctx, input }) => set(ctx.actor, input, ctx.db));
