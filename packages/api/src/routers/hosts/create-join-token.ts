import { z } from 'zod';
import { createJoinToken as create, HOST_NAME } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';

export const createJoinToken = roleProcedure('admin', 'creating a join token')
  .input(z.object({
    hostName: z.string().regex(HOST_NAME, 'use lower-case letters, digits and -').optional(),
    maxUses: z.number().int().min(1).max(10_000).default(1),
    ttlSeconds: z.number().int().min(60).max(30 * 86400).default(3600),
  }))
  .output(z.object({ id: z.string(), token: z.string(), expiresAt: z.date(), maxUses: z.number(), hostName: z.string().nullable() }))
  .mutation(({ ctx, input }) => create(ctx.actor, input, ctx.db));
