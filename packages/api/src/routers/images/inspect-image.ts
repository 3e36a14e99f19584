import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { HostName, ImageRef, resolveHost } from '../containers/agent.ts';

/** `docker image inspect REF`, Docker's layout. */
export const inspectImage = hostProcedure('viewer', 'inspecting an image')
  .input(z.object({ host: HostName, ref: ImageRef }))
  .output(z.record(z.string(), z.unknown()))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'image.inspect', { ref: input.ref });
  });
