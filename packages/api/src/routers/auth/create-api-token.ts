import { z } from 'zod';
import { createApiToken as create } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

/**
 * A personal API token, shown once. `scope` caps what it may do (viewer: read only; operator:
 * containers, images, volumes, networks; admin: everything its user may); absent: all its user may.
 */
export const createApiToken = authedProcedure
  .input(z.object({
    name: z.string().min(1).max(64),
    expiresInDays: z.number().int().positive().max(3650).optional(),
    scope: z.enum(['viewer', 'operator', 'admin']).optional(),
  }))
  .output(z.object({ id: z.string(), name: z.string(), token: z.string(), prefix: z.string(), scope: z.enum(['viewer', 'operator', 'admin']).nullable(), expiresAt: z.date().nullable() }))
  .mutation(({ ctx, input }) =>
    create(ctx.actor, { name: input.name, scope: input.scope ?? null, ...(input.expiresInDays ? { expiresAt: new Date(Date.now() + input.expiresInDays * 86400_000) } : {}) }, ctx.db));
