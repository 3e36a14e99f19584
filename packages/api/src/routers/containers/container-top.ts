import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker top`: the processes in the container's cgroup, ps-style. */
export const containerTop = hostProcedure('viewer', "listing a container's processes")
  .input(z.object({ host: HostName, id: ContainerRef }))
  .output(z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) }))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'container.top', { id: input.id });
  });
