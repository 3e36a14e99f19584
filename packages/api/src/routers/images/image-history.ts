import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { HostName, ImageRef, resolveHost } from '../containers/agent.ts';

/** `docker history`: the image's layers and the steps that made them, newest first. */
export const imageHistory = hostProcedure('viewer', "reading an image's history")
  .input(z.object({ host: HostName, ref: ImageRef }))
  .output(z.array(z.object({ id: z.string(), created: z.string().nullable(), createdBy: z.string(), size: z.number(), comment: z.string(), emptyLayer: z.boolean() })))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return ctx.fleet.request(host.id, 'image.history', { ref: input.ref });
  });
