import { z } from 'zod';
import { listHosts as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { HostView } from './schemas.ts';

export const listHosts = authedProcedure.output(z.array(HostView)).query(async ({ ctx }) =>
  (await list(ctx.actor, ctx.db)).map((h) => {
    const live = ctx.fleet.latestMetrics(h.id);
    return { ...h, metrics: live ? { ...live.metrics, at: live.at } : null };
  }));
