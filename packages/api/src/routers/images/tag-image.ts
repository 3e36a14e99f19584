import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, HostName, ImageRef, resolveHost } from '../containers/agent.ts';

/** `docker tag SOURCE TARGET`. */
export const tagImage = hostProcedure('operator', 'tagging an image').meta({ action: 'image.tag' })
  .input(z.object({ host: HostName, source: ImageRef, target: ImageRef }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    await auditedCall(ctx, { action: 'image.tag', hostId: host.id, objectType: 'image', objectId: input.target, params: { source: input.source, target: input.target } },
      () => ctx.fleet.request(host.id, 'image.tag', { source: input.source, target: input.target }));
    return { ok: true as const };
  });
