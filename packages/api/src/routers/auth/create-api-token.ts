import { z } from 'zod';
import { createApiToken as create } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

/**
 * A personal API token, shown once. `scope` caps what it may do (viewer: read only; operator:
 * containers, images, volumes, networks; admin: everything its user may); absent: all its user may.
 */
export const createApiToken = authedProcedure.meta({ action: 'api-token.create' })
  .input(z.object({
    name: z.string().min(1).max(64),
    expiresInDays: z.number().int().positive().max(3650).optional(),
    /** finer than days (the CLI's --expires 12h); wins over expiresInDays */
    expiresInSeconds: z.number().int().min(60).max(3650 * 86400).optional(),
    scope: z.enum(['viewer', 'operator', 'admin']).optional(),
  }))
  .output(z.object({ id: z.string(), name: z.string(), token: z.string(), prefix: z.string(), scope: z.enum(['viewer', 'operator', 'admin']).nullable(), expiresAt: z.date().nullable() }))
  .mutation(({ ctx, input }) =>
    create(ctx.actor, { name: input.name, scope: input.scope ?? null, ...(expiry(input) ? { expiresAt: expiry(input)! } : {}) }, ctx.db));

const expiry = (i: { expiresInDays?: number | undefined; expiresInSeconds?: number | undefined }): Date | null =>
  i.expiresInSeconds ? new Date(Date.now() + i.expiresInSeconds * 1000) : i.expiresInDays ? new Date(Date.now() + i.expiresInDays * 86400_000) : null;
