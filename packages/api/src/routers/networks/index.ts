import { z } from 'zod';
import { NetworkName, NetworkSummary } from '@berth/protocol';
import { hostProcedure, router } from '../../trpc.ts';
import { auditedCall, fanOut, HostName, LIST_TIMEOUT_MS, resolveHost } from '../containers/agent.ts';

const Ref = z.string().min(1).max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a network is named by its name or id');
const ContainerRef = z.string().min(1).max(128).regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a container is named by its name or id');
const NetworkRow = NetworkSummary.extend({ host: z.string(), hostId: z.string() });
const Ok = z.object({ ok: z.literal(true) });

/** `docker network ls`: one host's, or every reachable host's with the unreachable ones named. */
const listNetworks = hostProcedure('viewer', 'listing networks', { optional: true })
  .input(z.object({ host: HostName.optional() }))
  .output(z.object({ networks: z.array(NetworkRow), unavailable: z.array(z.object({ host: z.string(), reason: z.string() })) }))
  .query(async ({ ctx, input }) => {
    if (input.host) {
      const host = await resolveHost(ctx, input.host);
      const rows = await ctx.fleet.request(host.id, 'network.list', {}, { timeoutMs: LIST_TIMEOUT_MS });
      return { networks: rows.map((n) => ({ ...n, host: host.name, hostId: host.id })), unavailable: [] };
    }
    const r = await fanOut(ctx, (h) => ctx.fleet.request(h.id, 'network.list', {}, { timeoutMs: LIST_TIMEOUT_MS }));
    return { networks: r.rows.sort((a, b) => a.host.localeCompare(b.host)), unavailable: r.unavailable };
  });

const inspectNetwork = hostProcedure('viewer', 'inspecting a network')
  .input(z.object({ host: HostName, network: Ref }))
  .output(NetworkSummary)
  .query(async ({ ctx, input }) => ctx.fleet.request((await resolveHost(ctx, input.host)).id, 'network.inspect', { network: input.network }));

const createNetwork = hostProcedure('operator', 'creating a network').meta({ action: 'network.create' })
  .input(
    z.object({
      host: HostName,
      name: NetworkName,
      subnet: z.string().optional(),
      gateway: z.string().optional(),
      internal: z.boolean().default(false),
      labels: z.record(z.string(), z.string()).default({}),
    }),
  )
  .output(NetworkSummary)
  .mutation(async ({ ctx, input }) => {
    const { host: hostName, ...params } = input;
    const host = await resolveHost(ctx, hostName);
    return auditedCall(ctx, { action: 'network.create', hostId: host.id, objectType: 'network', objectId: input.name, params: { subnet: input.subnet ?? null, internal: input.internal } }, () =>
      ctx.fleet.request(host.id, 'network.create', params), (n) => n.id);
  });

/** `docker network rm`: refused by the agent while containers use it, naming them. */
const removeNetwork = hostProcedure('operator', 'removing a network').meta({ action: 'network.remove' })
  .input(z.object({ host: HostName, network: Ref }))
  .output(Ok)
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'network.remove', hostId: host.id, objectType: 'network', objectId: input.network }, () => ctx.fleet.request(host.id, 'network.remove', { network: input.network }));
  });

const connectNetwork = hostProcedure('operator', 'connecting a container to a network').meta({ action: 'network.connect' })
  .input(z.object({ host: HostName, network: Ref, container: ContainerRef, aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)).default([]), ipv4Address: z.string().optional() }))
  .output(Ok)
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    const container = input.container.replace(/^\//, '');
    return auditedCall(ctx, { action: 'network.connect', hostId: host.id, objectType: 'network', objectId: input.network, params: { container, aliases: input.aliases } }, () =>
      ctx.fleet.request(host.id, 'network.connect', { network: input.network, container, aliases: input.aliases, ...(input.ipv4Address ? { ipv4Address: input.ipv4Address } : {}) }));
  });

const disconnectNetwork = hostProcedure('operator', 'disconnecting a container from a network').meta({ action: 'network.disconnect' })
  .input(z.object({ host: HostName, network: Ref, container: ContainerRef, force: z.boolean().default(false) }))
  .output(Ok)
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    const container = input.container.replace(/^\//, '');
    return auditedCall(ctx, { action: 'network.disconnect', hostId: host.id, objectType: 'network', objectId: input.network, params: { container } }, () =>
      ctx.fleet.request(host.id, 'network.disconnect', { network: input.network, container, force: input.force }));
  });

const pruneNetworks = hostProcedure('operator', 'pruning networks').meta({ action: 'network.prune' })
  .input(z.object({ host: HostName }))
  .output(z.object({ deleted: z.array(z.string()) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'network.prune', hostId: host.id, objectType: 'network', objectId: null }, () => ctx.fleet.request(host.id, 'network.prune', {}));
  });

export const networksRouter = router({
  list: listNetworks,
  inspect: inspectNetwork,
  create: createNetwork,
  remove: removeNetwork,
  connect: connectNetwork,
  disconnect: disconnectNetwork,
  prune: pruneNetworks,
});
