import { z } from 'zod';
import { listMembers as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { MemberView, TeamRef } from './schemas.ts';

export const listMembers = authedProcedure.input(z.object({ team: TeamRef })).output(z.array(MemberView)).query(({ ctx, input }) => list(ctx.actor, input.team, ctx.db));
