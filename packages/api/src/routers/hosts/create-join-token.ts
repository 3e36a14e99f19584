import { z } from 'zod';
import { createJoinToken as create, HOST_NAME } from '@berth/core';
import { teamRoleProcedure } from '../../trpc.ts';

/** A join token for a team's new host: site admins, or admins of that team. */
export const createJoinToken = teamRoleProcedure('admin', 'creating a join token').meta({ action: 'join-token.create' })
  .input(z.object({
    hostName: z.string().regex(HOST_NAME, 'use lower-case letters, digits and -').optional(),
    maxUses: z.number().int().min(1).max(10_000).default(1),
    ttlSeconds: z.number().int().min(60).max(30 * 86400).default(3600),
    /** the team the host joins, by name or id: the default team for a site admin, else the one team the caller administers */
    team: z.string().min(1).max(64).optional(),
  }))
  .output(z.object({ id: z.string(), token: z.string(), expiresAt: z.date(), maxUses: z.number(), hostName: z.string().nullable(), team: z.string() }))
  .mutation(({ ctx, input }) => create(ctx.actor, input, ctx.db));
