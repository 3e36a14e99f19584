import { z } from 'zod';
import { getHost, removeHost as remove } from '@berth/core';
import { hostProcedure } from '../../trpc.ts';
import { HostRef } from './schemas.ts';

/** Forgets a host (after revocation, or for good); its name can then be enrolled anew. */
export const removeHost = hostProcedure('admin', 'removing a host').meta({ action: 'host.remove' }).input(HostRef).output(z.object({ removed: z.string() })).mutation(async ({ ctx, input }) => {
  const host = await getHost(ctx.actor, input.host, ctx.db);
  ctx.fleet.disconnect(host.id, 'removed');
  await remove(ctx.actor, host.name, ctx.db);
  return { removed: host.name };
});
