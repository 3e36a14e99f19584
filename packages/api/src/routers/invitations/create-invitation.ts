import { z } from 'zod';
import { createInvitation as create } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { TeamRole } from '../users/schemas.ts';

/** A one-time invitation to a team with a role (team admins; owners for owners): the token is shown once. */
export const createInvitation = authedProcedure.meta({ action: 'invitation.create' })
  .input(z.object({ team: z.string().min(1).max(64), role: TeamRole.default('viewer'), ttlSeconds: z.number().int().min(300).max(30 * 86400).default(7 * 86400) }))
  .output(z.object({ id: z.string(), team: z.string(), role: TeamRole, expiresAt: z.date(), token: z.string() }))
  .mutation(({ ctx, input }) => create(ctx.actor, input, ctx.db));
