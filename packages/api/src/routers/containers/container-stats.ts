import { z } from 'zod';
import { ContainerStatsSample } from '@berth/protocol';
import { authedProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker stats --no-stream` for one container: one sample. */
export const containerStats = authedProcedure
  .input(z.object({ host: HostName, id: ContainerRef }))
  .output(ContainerStatsSample)
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'container.stats', { id: input.id });
  });
