import { z } from 'zod';
import { listInvitations as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { InvitationView } from './schemas.ts';

export const listInvitations = authedProcedure.input(z.object({ team: z.string().min(1).max(64) })).output(z.array(InvitationView)).query(({ ctx, input }) => list(ctx.actor, input.team, ctx.db));
