import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, HostName, resolveHost } from '../containers/agent.ts';

/** `docker image prune [-a]`: dangling images, or with `all` every image no container uses. */
export const pruneImages = hostProcedure('operator', 'pruning images').meta({ action: 'image.prune' })
  .input(z.object({ host: HostName, all: z.boolean().default(false) }))
  .output(z.object({ deleted: z.array(z.string()), spaceReclaimed: z.number() }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'image.prune', hostId: host.id, objectType: 'image', objectId: null, params: { all: input.all } },
      () => ctx.fleet.request(host.id, 'image.prune', { all: input.all }, { timeoutMs: 300_000 }));
  });
