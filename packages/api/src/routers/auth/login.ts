import { z } from 'zod';
import { login as loginUser, SESSION_TTL_MS } from '@berth/core';
import { publicProcedure } from '../../trpc.ts';

export const login = publicProcedure.meta({ action: 'auth.login' })
  .input(z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }))
  .output(z.object({ username: z.string(), role: z.string().nullable() }))
  .mutation(async ({ ctx, input }) => {
    const { token, user } = await loginUser({ ...input, remoteAddr: ctx.remoteAddr, source: ctx.source }, ctx.db);
    ctx.setSessionCookie(token, SESSION_TTL_MS / 1000);
    return { username: user.username, role: user.role };
  });
