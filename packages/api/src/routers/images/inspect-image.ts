import { z } from 'zod';
import { authedProcedure } from '../../trpc.ts';
import { HostName, ImageRef, resolveHost } from '../containers/agent.ts';

/** `docker image inspect REF`, Docker's layout. */
export const inspectImage = authedProcedure
  .input(z.object({ host: HostName, ref: ImageRef }))
  .output(z.record(z.string(), z.unknown()))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'image.inspect', { ref: input.ref });
  });
