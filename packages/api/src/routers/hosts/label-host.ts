import { z } from 'zod';
import { updateHostLabels } from '@berth/core';
import { hostProcedure } from '../../trpc.ts';
import { HostRef, HostView } from './schemas.ts';

/** `berth host update --label-add KEY=VALUE --label-rm KEY HOST` (docker node update). */
export const labelHost = hostProcedure('admin', 'labelling a host').meta({ action: 'host.label' })
  .input(HostRef.extend({ add: z.record(z.string(), z.string()).default({}), remove: z.array(z.string()).default([]) }))
  .output(HostView)
  .mutation(async ({ ctx, input }) => {
    const h = await updateHostLabels(ctx.actor, input.host, { add: input.add, remove: input.remove }, ctx.db);
    const live = ctx.fleet.latestMetrics(h.id);
    return { ...h, metrics: live ? { ...live.metrics, at: live.at } : null };
  });
