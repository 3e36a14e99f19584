import { z } from 'zod';
import { previewInvitation as preview } from '@berth/core';
import { publicProcedure } from '../../trpc.ts';
import { TeamRole } from '../users/schemas.ts';
import { InvitationToken } from './schemas.ts';

/** What a link offers (team, role, expiry), for the accept page; the token is the credential. */
export const previewInvitation = publicProcedure
  .input(z.object({ token: InvitationToken }))
  .output(z.object({ team: z.string(), role: TeamRole, expiresAt: z.date() }))
  .query(({ ctx, input }) => preview(input.token, ctx.db));
