import { z } from 'zod';
import { ContainerSummary } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { fanOut, HostName, LIST_TIMEOUT_MS, resolveHost } from './agent.ts';

export const ContainerRow = ContainerSummary.extend({ host: z.string(), hostId: z.string() });
export const Unavailable = z.object({ host: z.string(), reason: z.string() });

/**
 * `docker ps`: one host's containers, or without a host every reachable host's, asked in
 * parallel; a host that cannot answer is listed in `unavailable` instead of failing the call.
 * `hosts` names the hosts asked. Newest first.
 */
export const listContainers = hostProcedure('viewer', 'listing containers', { optional: true })
  .input(z.object({ host: HostName.optional(), all: z.boolean().default(false) }))
  .output(z.object({ containers: z.array(ContainerRow), unavailable: z.array(Unavailable), hosts: z.array(z.string()) }))
  .query(async ({ ctx, input }) => {
    if (input.host) {
      const host = await resolveHost(ctx, input.host);
      const rows = await ctx.fleet.request(host.id, 'container.list', { all: input.all }, { timeoutMs: LIST_TIMEOUT_MS });
      return { containers: rows.map((c) => ({ ...c, host: host.name, hostId: host.id })).sort((a, b) => b.created - a.created), unavailable: [], hosts: [host.name] };
    }
    const r = await fanOut(ctx, (h) => ctx.fleet.request(h.id, 'container.list', { all: input.all }, { timeoutMs: LIST_TIMEOUT_MS }));
    return { containers: r.rows.sort((a, b) => b.created - a.created), unavailable: r.unavailable, hosts: r.hosts };
  });
