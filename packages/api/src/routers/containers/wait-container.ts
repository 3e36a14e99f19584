import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/**
 * `docker wait`: blocks until the container stops and returns its exit code. Fails with
 * TIMEOUT after `timeoutSeconds` (default an hour) while it still runs: callers that wait
 * longer ask again (HTTP clients and proxies give up on silent requests after minutes).
 */
export const waitContainer = hostProcedure('viewer', 'waiting for a container')
  .input(z.object({ host: HostName, id: ContainerRef, timeoutSeconds: z.number().int().min(1).max(86_400).default(3600) }))
  .output(z.object({ exitCode: z.number().int() }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'container.wait', { id: input.id }, { timeoutMs: input.timeoutSeconds * 1000 });
  });
