import { z } from 'zod';
import { AppError, credentialsForImage, registryOf } from '@berth/core';
import { hostProcedure, toTRPCError } from '../../trpc.ts';
import { HostName, openOrThrow, resolveHost } from '../containers/agent.ts';

/**
 * `docker search REGISTRY/TERM`, asked of a host (the one that pulls, and so reaches the
 * registry): the repositories in the registry's catalog whose name contains TERM. Stored
 * credentials for the registry go with it, over a stream, never through the outbox.
 */
export const searchImages = hostProcedure('viewer', 'searching a registry')
  .input(z.object({ host: HostName, term: z.string().min(1).max(512), limit: z.number().int().min(1).max(100).default(25) }))
  .output(z.array(z.object({ name: z.string() })))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    const hasRegistry = input.term.includes('/') && registryOf(input.term) !== 'docker.io';
    if (!hasRegistry) throw new AppError('INVALID', `search looks through a registry's catalog: name the registry, as in 127.0.0.1:5000/${input.term} (Docker Hub does not list its catalog)`);
    const registry = registryOf(input.term);
    const term = input.term.slice(registry.length + 1);
    const auth = await credentialsForImage(`${registry}/x`, ctx.secrets, ctx.db);
    const { stream, result } = openOrThrow(() => ctx.fleet.openStream(host.id, 'image.search', { registry, term, limit: input.limit, ...(auth ? { auth } : {}) }, { timeoutMs: 60_000 }));
    stream.end();
    try {
      return await result;
    } catch (err) {
      throw toTRPCError(err);
    }
  });
