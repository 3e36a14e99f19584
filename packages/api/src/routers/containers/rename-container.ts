import { z } from 'zod';
import { ContainerOperations } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, ContainerRef, HostName, resolveHost } from './agent.ts';

/** `docker rename OLD NEW`. */
export const renameContainer = hostProcedure('operator', 'renaming a container').meta({ action: 'container.rename' })
  .input(z.object({ host: HostName, id: ContainerRef, name: ContainerOperations['container.rename'].params.shape.name }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    await auditedCall(ctx, { action: 'container.rename', hostId: host.id, objectType: 'container', objectId: input.id, params: { name: input.name } },
      () => ctx.fleet.request(host.id, 'container.rename', { id: input.id, name: input.name }));
    return { ok: true as const };
  });
