import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker diff`: files added (A), changed (C) or deleted (D) in the container's writable layer. */
export const containerDiff = hostProcedure('viewer', 'diffing a container')
  .input(z.object({ host: HostName, id: ContainerRef }))
  .output(z.array(z.object({ kind: z.enum(['A', 'C', 'D']), path: z.string() })))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'container.diff', { id: input.id }, { timeoutMs: 120_000 });
  });
