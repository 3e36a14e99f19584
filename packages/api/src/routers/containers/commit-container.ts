import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, ContainerRef, HostName, ImageRef, resolveHost } from './agent.ts';

/** `docker commit [-a AUTHOR] [-m MESSAGE] [--pause=false] CONTAINER [REPOSITORY[:TAG]]`: a new image from its changes. */
export const commitContainer = hostProcedure('operator', 'committing a container').meta({ action: 'container.commit' })
  .input(z.object({ host: HostName, id: ContainerRef, ref: ImageRef.optional(), author: z.string().max(256).optional(), message: z.string().max(4096).optional(), pause: z.boolean().default(true) }))
  .output(z.object({ id: z.string(), ref: z.string().nullable() }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    const { host: _h, ...params } = input;
    return auditedCall(ctx, { action: 'container.commit', hostId: host.id, objectType: 'container', objectId: input.id, params: { ref: input.ref ?? null, pause: input.pause } },
      () => ctx.fleet.request(host.id, 'container.commit', params, { timeoutMs: 600_000 }));
  });
