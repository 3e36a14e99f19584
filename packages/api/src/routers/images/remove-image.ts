import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, HostName, ImageRef, resolveHost } from '../containers/agent.ts';

/** `docker rmi [-f] REF`: what was untagged and what was deleted. */
export const removeImage = hostProcedure('operator', 'removing an image').meta({ action: 'image.remove' })
  .input(z.object({ host: HostName, ref: ImageRef, force: z.boolean().default(false) }))
  .output(z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'image.remove', hostId: host.id, objectType: 'image', objectId: input.ref, params: { force: input.force } },
      () => ctx.fleet.request(host.id, 'image.remove', { ref: input.ref, force: input.force }, { timeoutMs: 120_000 }));
  });
