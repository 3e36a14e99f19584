import { z } from 'zod';
import { ImageSummary } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { fanOut, HostName, LIST_TIMEOUT_MS, resolveHost } from '../containers/agent.ts';
import { Unavailable } from '../containers/list-containers.ts';

export const ImageRow = ImageSummary.extend({ host: z.string(), hostId: z.string() });

/** `docker images`: one host's, or every reachable host's in parallel (see containers.list). */
export const listImages = hostProcedure('viewer', 'listing images', { optional: true })
  .input(z.object({ host: HostName.optional(), all: z.boolean().default(false) }))
  .output(z.object({ images: z.array(ImageRow), unavailable: z.array(Unavailable), hosts: z.array(z.string()) }))
  .query(async ({ ctx, input }) => {
    if (input.host) {
      const host = await resolveHost(ctx, input.host);
      const rows = await ctx.fleet.request(host.id, 'image.list', { all: input.all }, { timeoutMs: LIST_TIMEOUT_MS });
      return { images: rows.map((i) => ({ ...i, host: host.name, hostId: host.id })).sort((a, b) => b.created - a.created), unavailable: [], hosts: [host.name] };
    }
    const r = await fanOut(ctx, (h) => ctx.fleet.request(h.id, 'image.list', { all: input.all }, { timeoutMs: LIST_TIMEOUT_MS }));
    return { images: r.rows.sort((a, b) => b.created - a.created), unavailable: r.unavailable, hosts: r.hosts };
  });
