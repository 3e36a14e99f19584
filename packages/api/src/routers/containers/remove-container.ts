import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker rm [-f] [-v]`: refused for a running container unless forced. */
export const removeContainer = hostProcedure('operator', 'removing a container').meta({ action: 'container.remove' })
  .input(z.object({ host: HostName, id: ContainerRef, force: z.boolean().default(false), volumes: z.boolean().default(false) }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    await auditedCall(ctx, { action: 'container.remove', hostId: host.id, objectType: 'container', objectId: input.id, params: { force: input.force, volumes: input.volumes } },
      () => ctx.fleet.request(host.id, 'container.remove', { id: input.id, force: input.force, volumes: input.volumes }, { timeoutMs: 60_000 }));
    return { ok: true as const };
  });
