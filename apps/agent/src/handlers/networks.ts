import type { NetworkSummary } from '@berth/protocol';
import type { NetworkRecord } from '@berth/runtime';
import { engineCall } from '../engine/errors.ts';
import type { HostEngine } from '../engine/host-engine.ts';
import { HandlerError, type Handler } from './types.ts';

const ok = { ok: true as const };

/** The built-in modes Docker lists beside the bridge networks. */
const BUILTIN: NetworkSummary[] = ['host', 'none'].map((name) => ({
  id: name,
  name,
  driver: name === 'host' ? ('host' as const) : ('null' as const),
  scope: 'local' as const,
  created: '0001-01-01T00:00:00Z',
  subnet: null,
  gateway: null,
  bridge: null,
  internal: false,
  labels: {},
  containers: [],
}));

function view(engine: HostEngine, n: NetworkRecord): NetworkSummary {
  const eps = engine.networks.endpointsOf(n.id);
  return {
    id: n.id,
    name: n.name,
    driver: 'bridge',
    scope: 'local',
    created: n.created,
    subnet: n.subnet,
    gateway: n.gateway,
    bridge: n.bridge,
    internal: n.internal,
    labels: n.labels,
    containers: eps.map((e) => ({ containerId: e.containerId, name: e.name, ipv4Address: `${e.endpoint.ipv4Address}/${e.endpoint.prefixLen}`, macAddress: e.endpoint.macAddress, aliases: e.endpoint.aliases })),
  };
}

/** `docker network ls`: bridge networks first (the default one leading), then host and none. */
export const listNetworks: Handler<'network.list'> = async (_p, ctx) => {
  const nets = ctx.engine.networks.list().sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  return [...nets.map((n) => view(ctx.engine, n)), ...BUILTIN];
};

export const createNetwork: Handler<'network.create'> = (p, ctx) =>
  engineCall(async () => {
    const n = await ctx.engine.networks.create({ name: p.name, ...(p.subnet ? { subnet: p.subnet } : {}), ...(p.gateway ? { gateway: p.gateway } : {}), internal: p.internal, labels: p.labels });
    ctx.emit('network', { action: 'create', id: n.id, name: n.name });
    return view(ctx.engine, n);
  });

export const inspectNetwork: Handler<'network.inspect'> = (p, ctx) =>
  engineCall(async () => {
    const builtin = BUILTIN.find((b) => b.name === p.network);
    if (builtin) return builtin;
    return view(ctx.engine, ctx.engine.networks.find(p.network));
  });

/** `docker network rm`: refused for the built-in ones and while containers run on it. */
export const removeNetwork: Handler<'network.remove'> = (p, ctx) =>
  engineCall(async () => {
    if (p.network === 'host' || p.network === 'none') throw new HandlerError('conflict', `${p.network} is a pre-defined network and cannot be removed`);
    const net = ctx.engine.networks;
    const n = net.find(p.network);
    const stopped = ctx.engine.containers.list().filter((c) => c.config.networks?.some((a) => a.networkId === n.id));
    // Docker refuses only for running containers; stopped ones would fail to start later, so
    // berth names them too and asks for them to be disconnected or removed first.
    if (stopped.length) {
      throw new HandlerError('conflict', `error while removing network: network ${n.name} id ${n.id} is used by container${stopped.length > 1 ? 's' : ''} ${stopped.map((c) => c.name).join(', ')}: remove or disconnect ${stopped.length > 1 ? 'them' : 'it'} first`);
    }
    await net.remove(n.id);
    ctx.emit('network', { action: 'destroy', id: n.id, name: n.name });
    return ok;
  });

export const connectNetwork: Handler<'network.connect'> = (p, ctx) =>
  engineCall(async () => {
    await ctx.engine.containers.connect(p.container, p.network, { aliases: p.aliases, ...(p.ipv4Address ? { ipv4Address: p.ipv4Address } : {}) });
    return ok;
  });

export const disconnectNetwork: Handler<'network.disconnect'> = (p, ctx) =>
  engineCall(async () => {
    await ctx.engine.containers.disconnect(p.container, p.network);
    return ok;
  });

/** `docker network prune`: user-defined networks no container is configured to use. */
export const pruneNetworks: Handler<'network.prune'> = (_p, ctx) =>
  engineCall(async () => {
    const net = ctx.engine.networks;
    const used = new Set(ctx.engine.containers.list().flatMap((c) => (c.config.networks ?? []).map((a) => a.networkId)));
    const deleted: string[] = [];
    for (const n of net.list()) {
      if (n.isDefault || used.has(n.id)) continue;
      await net.remove(n.id);
      ctx.emit('network', { action: 'destroy', id: n.id, name: n.name });
      deleted.push(n.name);
    }
    return { deleted };
  });
