import { addMember as add } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { TeamRole } from '../users/schemas.ts';
import { MemberInput, MemberView } from './schemas.ts';

/** Team admins add existing users; only owners (or site admins) make owners. */
export const addMember = authedProcedure.meta({ action: 'team.member.add' }).input(MemberInput.extend({ role: TeamRole })).output(MemberView).mutation(({ ctx, input }) => add(ctx.actor, input, ctx.db));
