import { z } from 'zod';
import { ContainerStatsSample } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker stats --no-stream` for one container: one sample. */
export const containerStats = hostProcedure('viewer', "reading a container's stats")
  .input(z.object({ host: HostName, id: ContainerRef }))
  .output(ContainerStatsSample)
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'container.stats', { id: input.id });
  });
