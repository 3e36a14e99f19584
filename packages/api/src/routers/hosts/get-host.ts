import { getHost as get } from '@berth/core';
import { hostProcedure } from '../../trpc.ts';
import { HostRef, HostView } from './schemas.ts';

export const getHost = hostProcedure('viewer', 'reading a host').input(HostRef).output(HostView).query(async ({ ctx, input }) => {
  const h = await get(ctx.actor, input.host, ctx.db);
  const live = ctx.fleet.latestMetrics(h.id);
  return { ...h, metrics: live ? { ...live.metrics, at: live.at } : null };
});
