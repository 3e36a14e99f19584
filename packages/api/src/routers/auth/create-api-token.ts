import { z } from 'zod';
import { createApiToken as create } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

export const createApiToken = authedProcedure
  .input(z.object({ name: z.string().min(1).max(64), expiresInDays: z.number().int().positive().max(3650).optional() }))
  .output(z.object({ id: z.string(), name: z.string(), token: z.string() }))
  .mutation(({ ctx, input }) =>
    create(ctx.actor, { name: input.name, ...(input.expiresInDays ? { expiresAt: new Date(Date.now() + input.expiresInDays * 86400_000) } : {}) }, ctx.db));
