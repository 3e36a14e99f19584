import { z } from 'zod';
import { acceptInvitation as accept, AppError, SESSION_TTL_MS } from '@berth/core';
import { publicProcedure } from '../../trpc.ts';
import { TeamRole, Username } from '../users/schemas.ts';
import { InvitationToken } from './schemas.ts';

/**
 * Accepts an invitation. Signed in: adds the membership to the caller. Signed out: creates the
 * user from `username` and `password` with the membership, and signs them in (session cookie).
 */
export const acceptInvitation = publicProcedure.meta({ action: 'invitation.accept' })
  .input(z.object({ token: InvitationToken, username: Username.optional(), password: z.string().min(1).max(256).optional() }))
  .output(z.object({ team: z.string(), role: TeamRole, username: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const where = { remoteAddr: ctx.remoteAddr, source: ctx.source };
    if (!ctx.actor && !(input.username && input.password)) throw new AppError('INVALID', 'choose a user name and a password for your new account, or sign in first to join with your account');
    const r = ctx.actor
      ? await accept({ token: input.token, actor: ctx.actor, ...where }, ctx.db)
      : await accept({ token: input.token, username: input.username!, password: input.password!, ...where }, ctx.db);
    if (r.sessionToken) ctx.setSessionCookie(r.sessionToken, SESSION_TTL_MS / 1000);
    return { team: r.team, role: r.role, username: r.username };
  });
