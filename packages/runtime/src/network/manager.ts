// The networks of a host, as Docker's libnetwork keeps them: a bridge per network with its
// gateway address, addresses handed out from the subnet, a veth per container endpoint, one
// nftables table for NAT, published ports and isolation, and a DNS server per network.
// Records persist in <stateDir>/networks/<id>.json; bridges, rules and DNS servers are rebuilt
// from them at load, so a reboot or an agent restart brings everything back.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../containers/store.ts';
import { ExecError } from '../sys/exec.ts';
import type { ContainerNetworkState, EndpointState, NetworkAttachment, NetworkRecord, PortBinding } from './config.ts';
import { NetworkDnsServer } from './dns/server.ts';
import { nonLoopback, parseResolvConf } from './dns/resolv-conf.ts';
import type { ResolvConf } from './dns/resolv-conf.ts';
import type { NetHost } from './host-net.ts';
import { contains, firstHost, formatSubnet, isReserved, macFor, nextFree, overlaps, parseSubnet, routePrefix } from './ipv4.ts';
import { PortReservations } from './port-reservations.ts';
import { buildRuleset, deleteTableCommand } from './ruleset.ts';

export type NetworkErrorCode = 'not-found' | 'conflict' | 'invalid' | 'host';

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: NetworkErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface NetworkManagerOptions {
  /** berth's state dir; networks live in <stateDir>/networks/. */
  stateDir: string;
  host: NetHost;
  /** The nftables table (family ip); default "berth". */
  table?: string;
  /** The default network ("bridge"), as dockerd's --bip; null = none (dockerd's --bridge=none). */
  defaultBridge?: { name: string; subnet: string; gateway?: string } | null;
  /** Turn on net.ipv4.ip_forward (dockerd's --ip-forward); default true. */
  ipForward?: boolean;
  /** Run a DNS server on each network's gateway; default true. Port for tests. */
  dns?: { enabled: boolean; port?: number };
  /** The host's resolv.conf: upstream resolvers; default /etc/resolv.conf. */
  hostResolvConf?: string;
  /** Upstream resolvers instead of the host's (dockerd's --dns). */
  dnsServers?: string[];
  /** Pools for networks created without --subnet; default Docker's 172.18-31.0.0/16, 192.168.0-240.0/20. */
  pools?: string[];
  log?: (level: 'info' | 'warn', msg: string) => void;
  now?: () => Date;
}

/** What a starting container asks for. */
export interface AttachRequest {
  containerId: string;
  name: string;
  hostname: string;
  pid: number;
  attachments: readonly NetworkAttachment[];
  portBindings: readonly PortBinding[];
  /** -P: these "80/tcp" ports get free host ports. */
  publishAll: readonly string[];
  dns: readonly string[];
}

interface LiveContainer {
  id: string;
  name: string;
  hostname: string;
  dns: readonly string[];
  state: ContainerNetworkState;
}

const DEFAULT_POOLS = [
  ...Array.from({ length: 14 }, (_, i) => `172.${18 + i}.0.0/16`),
  ...Array.from({ length: 16 }, (_, i) => `192.168.${i * 16}.0/20`),
];
const BUILTIN = new Set(['bridge', 'host', 'none', 'default']);

export class NetworkManager {
  readonly #o: NetworkManagerOptions;
  readonly #networks = new Map<string, NetworkRecord>();
  readonly #live = new Map<string, LiveContainer>();
  readonly #dns = new Map<string, NetworkDnsServer>();
  readonly #ports = new PortReservations();
  #queue: Promise<unknown> = Promise.resolve();
  #upstreams: string[] = [];
  #hostResolv: ResolvConf = { nameservers: [], search: [], options: [] };
  #closed = false;

  constructor(options: NetworkManagerOptions) {
    this.#o = options;
  }

  get #dir(): string {
    return join(this.#o.stateDir, 'networks');
  }
  get #table(): string {
    return this.#o.table ?? 'berth';
  }

  /** One change at a time: addresses, ports and the ruleset are decided on a settled state. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  // ---- load --------------------------------------------------------------------------------

  /**
   * Reads the records, creates the default network the first time, and brings every bridge and
   * DNS server up. Rules are applied by sync() once the engine has adopted its running containers.
   */
  async load(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const f of await readdir(this.#dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const rec = JSON.parse(await readFile(join(this.#dir, f), 'utf8')) as NetworkRecord;
        this.#networks.set(rec.id, rec);
      } catch (err) {
        this.#o.log?.('warn', `network record ${f} is unreadable and was skipped: ${(err as Error).message}`);
      }
    }
    await this.#readHostResolvConf();
    const def = this.#o.defaultBridge;
    const existing = [...this.#networks.values()].find((n) => n.isDefault);
    if (def && !existing) {
      const subnet = parseSubnet(def.subnet);
      await this.#saveNetwork({
        id: newId(),
        name: 'bridge',
        created: this.#now(),
        bridge: def.name,
        subnet: formatSubnet(subnet),
        gateway: def.gateway ?? firstHost(subnet),
        internal: false,
        labels: {},
        isDefault: true,
      });
    } else if (!def && existing) {
      // --bridge=none now: the default network goes away (its containers fall back to none).
      await this.#dropNetwork(existing);
    }
    if (this.#networks.size > 0 && (this.#o.ipForward ?? true)) await this.#o.host.writeSysctl('net.ipv4.ip_forward', '1');
    for (const n of this.#networks.values()) {
      await this.#bringUp(n);
    }
  }

  async #readHostResolvConf(): Promise<void> {
    const text = await readFile(this.#o.hostResolvConf ?? '/etc/resolv.conf', 'utf8').catch(() => '');
    this.#hostResolv = parseResolvConf(text);
    if (this.#o.dnsServers?.length) this.#hostResolv.nameservers = [...this.#o.dnsServers];
    this.#upstreams = this.#hostResolv.nameservers;
  }

  async #bringUp(n: NetworkRecord): Promise<void> {
    const subnet = parseSubnet(n.subnet);
    await this.#o.host.ensureBridge(n.bridge, `${n.gateway}/${subnet.prefixLen}`);
    // Lets the host reach published ports through 127.0.0.1 (DNAT to a bridge address).
    await this.#o.host.writeSysctl(`net.ipv4.conf.${n.bridge}.route_localnet`, '1');
    await this.#startDns(n);
  }

  async #startDns(n: NetworkRecord): Promise<void> {
    if (!(this.#o.dns?.enabled ?? true) || this.#dns.has(n.id)) return;
    const subnet = parseSubnet(n.subnet);
    const server = new NetworkDnsServer({
      address: n.gateway,
      port: this.#o.dns?.port ?? 53,
      records: {
        lookup: (name, clientIp) => this.#lookup(n.id, name, clientIp),
        reverse: (ip, clientIp) => this.#reverse(n.id, ip, clientIp),
        upstreams: (clientIp) => this.#upstreamsFor(clientIp),
        // only this network's containers: the address is the host's, reachable from elsewhere
        serves: (clientIp) => contains(subnet, clientIp),
      },
      log: (msg) => this.#o.log?.('warn', `dns ${n.name}: ${msg}`),
    });
    try {
      await server.start();
      this.#dns.set(n.id, server);
    } catch (err) {
      // Another DNS server holds the port: containers get the host's resolvers instead.
      this.#o.log?.('warn', `network ${n.name}: no DNS server on ${n.gateway}: ${(err as Error).message}`);
    }
  }

  /**
   * The user-defined networks whose names a client sees: every one it is attached to (its
   * queries all reach its first network's server), as Docker's embedded DNS answers.
   */
  #visibleNetworks(serverNetworkId: string, clientIp: string): string[] {
    const client = [...this.#live.values()].find((c) => c.state.endpoints.some((e) => e.ipv4Address === clientIp && e.networkId === serverNetworkId));
    const ids = client ? client.state.endpoints.map((e) => e.networkId) : [serverNetworkId];
    return ids.filter((id) => {
      const n = this.#networks.get(id);
      return n !== undefined && !n.isDefault;
    });
  }

  /** Container names resolve on user-defined networks only, as in Docker. */
  #lookup(networkId: string, name: string, clientIp: string): string[] | null {
    const q = name.toLowerCase().replace(/\.$/, '');
    const out: string[] = [];
    for (const id of this.#visibleNetworks(networkId, clientIp)) {
      for (const c of this.#live.values()) {
        const ep = c.state.endpoints.find((e) => e.networkId === id);
        if (!ep) continue;
        const names = [c.name, c.id.slice(0, 12), ...ep.aliases].map((s) => s.toLowerCase());
        if (names.includes(q)) out.push(ep.ipv4Address);
      }
      if (out.length) return out; // the first network that knows the name answers
    }
    return null;
  }

  #reverse(networkId: string, ip: string, clientIp: string): string | null {
    for (const id of this.#visibleNetworks(networkId, clientIp)) {
      for (const c of this.#live.values()) {
        if (c.state.endpoints.some((e) => e.networkId === id && e.ipv4Address === ip)) return `${c.name}.${this.#networks.get(id)?.name ?? ''}`;
      }
    }
    return null;
  }

  #upstreamsFor(clientIp: string): string[] {
    for (const c of this.#live.values()) {
      if (c.dns.length && c.state.endpoints.some((e) => e.ipv4Address === clientIp)) return [...c.dns];
    }
    return this.#upstreams;
  }

  /** Applies the ruleset for the networks and the containers known now. */
  sync(): Promise<void> {
    return this.#serial(() => this.#applyRules());
  }

  async #applyRules(): Promise<void> {
    if (this.#closed) return; // a closing agent leaves the rules to its running containers
    // No network, no table: a host with networking off carries no rules of berth's (and needs no
    // nft at all: without it there is no table to remove either).
    if (this.#networks.size === 0) {
      return this.#o.host.applyRules(deleteTableCommand(this.#table)).catch((err: unknown) => {
        if (!(err instanceof ExecError && err.reason === 'not-found')) throw err;
      });
    }
    const forwards: { binding: PortBinding; containerIp: string }[] = [];
    for (const c of this.#live.values()) {
      const ep = c.state.endpoints.find((e) => !this.#networks.get(e.networkId)?.internal);
      if (!ep) continue;
      for (const b of c.state.ports) forwards.push({ binding: b, containerIp: ep.ipv4Address });
    }
    await this.#o.host.applyRules(buildRuleset({ table: this.#table, networks: [...this.#networks.values()], forwards }));
  }

  /** Closes DNS servers and port reservations; bridges and rules stay for running containers. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await Promise.allSettled([...this.#dns.values()].map((d) => d.close()));
    this.#dns.clear();
    await this.#ports.closeAll();
  }

  // ---- networks ----------------------------------------------------------------------------

  list(): NetworkRecord[] {
    return [...this.#networks.values()].map((n) => structuredClone(n));
  }

  /** By name, full id or unique id prefix. */
  find(ref: string): NetworkRecord {
    for (const n of this.#networks.values()) if (n.name === ref) return n;
    const byId = this.#networks.get(ref);
    if (byId) return byId;
    const prefixed = [...this.#networks.values()].filter((n) => ref.length > 0 && n.id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0] as NetworkRecord;
    if (prefixed.length > 1) throw new NetworkError('invalid', `network ${ref} is ambiguous (${prefixed.length} matches found on id prefix): give more of the id or the name`);
    throw new NetworkError('not-found', `network ${ref} not found`);
  }

  /** The running containers on a network, with their endpoints. */
  endpointsOf(networkId: string): { containerId: string; name: string; endpoint: EndpointState }[] {
    const out: { containerId: string; name: string; endpoint: EndpointState }[] = [];
    for (const c of this.#live.values()) {
      const ep = c.state.endpoints.find((e) => e.networkId === networkId);
      if (ep) out.push({ containerId: c.id, name: c.name, endpoint: structuredClone(ep) });
    }
    return out;
  }

  create(opts: { name: string; subnet?: string; gateway?: string; internal?: boolean; labels?: Record<string, string> }): Promise<NetworkRecord> {
    return this.#serial(async () => {
      if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.name) || opts.name.length > 64) {
        throw new NetworkError('invalid', `invalid network name "${opts.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, up to 64 characters`);
      }
      if (BUILTIN.has(opts.name)) throw new NetworkError('conflict', `${opts.name} is a pre-defined network and cannot be created`);
      if ([...this.#networks.values()].some((n) => n.name === opts.name)) throw new NetworkError('conflict', `network with name ${opts.name} already exists`);
      const subnet = opts.subnet ? await this.#checkSubnet(opts.subnet) : await this.#pickSubnet();
      let gateway = firstHost(parseSubnet(subnet));
      if (opts.gateway) {
        const s = parseSubnet(subnet);
        if (!contains(s, opts.gateway) || isReserved(s, opts.gateway)) {
          throw new NetworkError('invalid', `gateway ${opts.gateway} is not a usable address of subnet ${subnet}`);
        }
        gateway = opts.gateway;
      }
      const id = newId();
      const rec: NetworkRecord = {
        id,
        name: opts.name,
        created: this.#now(),
        bridge: `br-${id.slice(0, 12)}`,
        subnet,
        gateway,
        internal: opts.internal ?? false,
        labels: opts.labels ?? {},
        isDefault: false,
      };
      try {
        if (this.#o.ipForward ?? true) await this.#o.host.writeSysctl('net.ipv4.ip_forward', '1');
        this.#networks.set(id, rec);
        await this.#bringUp(rec);
        await this.#applyRules();
        await this.#saveNetwork(rec);
      } catch (err) {
        // Nothing half-made: no record, no bridge, no DNS server, rules as before.
        await this.#dropNetwork(rec).catch(() => undefined);
        await this.#applyRules().catch(() => undefined);
        throw err instanceof NetworkError ? err : new NetworkError('host', `cannot create network ${opts.name}: ${(err as Error).message}`);
      }
      return structuredClone(rec);
    });
  }

  async #checkSubnet(cidr: string): Promise<string> {
    let s;
    try {
      s = parseSubnet(cidr);
    } catch (err) {
      throw new NetworkError('invalid', (err as Error).message);
    }
    for (const special of ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3']) {
      if (overlaps(s, routePrefix(special))) throw new NetworkError('invalid', `subnet ${cidr} overlaps ${special}, which is reserved (this host, loopback, link-local or multicast)`);
    }
    for (const n of this.#networks.values()) {
      if (overlaps(s, parseSubnet(n.subnet))) throw new NetworkError('conflict', `subnet ${cidr} overlaps with network ${n.name} (${n.subnet}): pick another subnet`);
    }
    const ours = new Set([...this.#networks.values()].map((n) => n.subnet));
    for (const r of await this.#o.host.routes()) {
      if (ours.has(r) || r.startsWith('127.')) continue;
      if (overlaps(s, routePrefix(r))) throw new NetworkError('conflict', `subnet ${cidr} collides with the host's route to ${r}: pick a subnet the host does not use`);
    }
    return formatSubnet(s);
  }

  async #pickSubnet(): Promise<string> {
    const taken = [...this.#networks.values()].map((n) => parseSubnet(n.subnet));
    const routes = (await this.#o.host.routes()).filter((r) => !r.startsWith('127.')).map(routePrefix);
    for (const p of this.#o.pools ?? DEFAULT_POOLS) {
      const s = parseSubnet(p);
      if (taken.some((t) => overlaps(t, s)) || routes.some((r) => overlaps(r, s))) continue;
      return p;
    }
    throw new NetworkError('conflict', 'all predefined address pools are in use: give --subnet, or remove unused networks (network prune)');
  }

  remove(ref: string): Promise<void> {
    return this.#serial(async () => {
      const n = this.find(ref);
      if (n.isDefault) throw new NetworkError('conflict', `${n.name} is a pre-defined network and cannot be removed`);
      const users = this.endpointsOf(n.id);
      if (users.length) {
        throw new NetworkError('conflict', `error while removing network: network ${n.name} id ${n.id} has active endpoints (${users.map((u) => u.name).join(', ')}): stop or disconnect them first`);
      }
      await this.#dropNetwork(n);
      await this.#applyRules();
    });
  }

  async #dropNetwork(n: NetworkRecord): Promise<void> {
    this.#networks.delete(n.id);
    await this.#dns.get(n.id)?.close();
    this.#dns.delete(n.id);
    await this.#o.host.deleteLink(n.bridge);
    await rm(join(this.#dir, `${n.id}.json`), { force: true });
  }

  async #saveNetwork(n: NetworkRecord): Promise<void> {
    this.#networks.set(n.id, n);
    await writeJsonAtomic(join(this.#dir, `${n.id}.json`), n);
  }

  // ---- containers --------------------------------------------------------------------------

  /** Checks --network at create: a bridge-mode network must exist; resolves its id. */
  resolveAttachment(ref: string, aliases: string[], ipv4Address?: string): NetworkAttachment {
    const n = this.find(ref === 'default' ? 'bridge' : ref);
    if (n.isDefault && aliases.length) throw new NetworkError('invalid', 'network-scoped aliases are supported only for user-defined networks');
    if (ipv4Address) {
      if (n.isDefault) throw new NetworkError('invalid', 'user specified IP address is supported on user defined networks only');
      const s = parseSubnet(n.subnet);
      if (!contains(s, ipv4Address) || isReserved(s, ipv4Address) || ipv4Address === n.gateway) {
        throw new NetworkError('invalid', `address ${ipv4Address} is not usable on network ${n.name} (${n.subnet}, gateway ${n.gateway})`);
      }
    }
    return { networkId: n.id, networkName: n.name, aliases, ...(ipv4Address ? { ipv4Address } : {}) };
  }

  /** A running container adopted after an agent restart: its endpoints and ports count again. */
  adopt(c: { id: string; name: string; hostname: string; dns?: readonly string[]; state: ContainerNetworkState }): Promise<void> {
    return this.#serial(async () => {
      this.#live.set(c.id, { id: c.id, name: c.name, hostname: c.hostname, dns: c.dns ?? [], state: structuredClone(c.state) });
      for (const b of c.state.ports) await this.#ports.reserve(b).catch((err: unknown) => this.#o.log?.('warn', `container ${c.name}: ${(err as Error).message}`));
    });
  }

  /** Wires a started (not yet running) container into its networks and publishes its ports. */
  attach(req: AttachRequest): Promise<ContainerNetworkState> {
    return this.#serial(async () => {
      const state: ContainerNetworkState = { endpoints: [], ports: [] };
      const live: LiveContainer = { id: req.containerId, name: req.name, hostname: req.hostname, dns: req.dns, state };
      try {
        for (const [i, a] of req.attachments.entries()) {
          state.endpoints.push(await this.#connect(req.containerId, req.pid, a, `eth${i}`, i === 0));
        }
        state.ports = await this.#publish(req);
        this.#live.set(req.containerId, live);
        await this.#applyRules();
      } catch (err) {
        this.#live.delete(req.containerId);
        await this.#unwire(state);
        throw err instanceof NetworkError ? err : new NetworkError('host', (err as Error).message);
      }
      return structuredClone(state);
    });
  }

  async #connect(containerId: string, pid: number, a: NetworkAttachment, ifname: string, withRoute: boolean): Promise<EndpointState> {
    const n = this.#networks.get(a.networkId);
    if (!n) throw new NetworkError('not-found', `network ${a.networkName} not found: it was removed; connect the container to another network`);
    const subnet = parseSubnet(n.subnet);
    const taken = new Set<string>([n.gateway]);
    for (const c of this.#live.values()) for (const e of c.state.endpoints) if (e.networkId === n.id) taken.add(e.ipv4Address);
    let ip = a.ipv4Address;
    if (ip && taken.has(ip)) throw new NetworkError('conflict', `address ${ip} is already in use on network ${n.name}`);
    ip ??= nextFree(subnet, taken) ?? undefined;
    if (!ip) throw new NetworkError('conflict', `no free address left on network ${n.name} (${n.subnet})`);
    const ep: EndpointState = {
      networkId: n.id,
      networkName: n.name,
      ifname,
      hostVeth: vethName(containerId, n.id),
      ipv4Address: ip,
      prefixLen: subnet.prefixLen,
      gateway: n.gateway,
      macAddress: macFor(ip),
      aliases: [...a.aliases],
    };
    await this.#o.host.attachVeth({
      pid,
      hostVeth: ep.hostVeth,
      ifname,
      bridge: n.bridge,
      ipv4Address: ip,
      prefixLen: subnet.prefixLen,
      macAddress: ep.macAddress,
      ...(withRoute ? { gateway: n.gateway } : {}),
    }).catch(async (err: unknown) => {
      await this.#o.host.deleteLink(ep.hostVeth).catch(() => undefined);
      throw err;
    });
    return ep;
  }

  async #publish(req: AttachRequest): Promise<PortBinding[]> {
    const wanted: PortBinding[] = [...req.portBindings];
    for (const p of req.publishAll) {
      const [port, protocol] = p.split('/');
      const containerPort = Number(port);
      const proto = protocol === 'udp' ? 'udp' : 'tcp';
      if (!wanted.some((b) => b.containerPort === containerPort && b.protocol === proto)) wanted.push({ hostIp: '', hostPort: 0, containerPort, protocol: proto });
    }
    const out: PortBinding[] = [];
    try {
      for (const b of wanted) out.push(await this.#ports.reserve(b));
    } catch (err) {
      for (const b of out) await this.#ports.release(b);
      throw new NetworkError('conflict', `driver failed programming external connectivity on endpoint ${req.name}: ${(err as Error).message}`);
    }
    return out;
  }

  /** Releases what a container held: veths (if its namespace is still there), ports, addresses. */
  release(containerId: string): Promise<void> {
    return this.#serial(async () => {
      const c = this.#live.get(containerId);
      if (!c) return;
      this.#live.delete(containerId);
      await this.#unwire(c.state);
      await this.#applyRules();
    });
  }

  async #unwire(state: ContainerNetworkState): Promise<void> {
    for (const e of state.endpoints) await this.#o.host.deleteLink(e.hostVeth).catch(() => undefined);
    for (const b of state.ports) await this.#ports.release(b);
  }

  /** `network connect` on a running container: a new interface at once. */
  connectRunning(containerId: string, pid: number, a: NetworkAttachment): Promise<EndpointState> {
    return this.#serial(async () => {
      const c = this.#live.get(containerId);
      if (!c) throw new NetworkError('invalid', `container ${containerId} has no network namespace of berth's to join`);
      if (c.state.endpoints.some((e) => e.networkId === a.networkId)) {
        throw new NetworkError('conflict', `endpoint with name ${c.name} already exists in network ${a.networkName}`);
      }
      const used = new Set(c.state.endpoints.map((e) => e.ifname));
      let i = 0;
      while (used.has(`eth${i}`)) i++;
      const ep = await this.#connect(containerId, pid, a, `eth${i}`, c.state.endpoints.length === 0);
      c.state.endpoints.push(ep);
      await this.#applyRules();
      return structuredClone(ep);
    });
  }

  /** `network disconnect` on a running container: its interface on that network goes away. */
  disconnectRunning(containerId: string, networkId: string): Promise<void> {
    return this.#serial(async () => {
      const c = this.#live.get(containerId);
      const ep = c?.state.endpoints.find((e) => e.networkId === networkId);
      if (!c || !ep) return;
      await this.#o.host.deleteLink(ep.hostVeth);
      c.state.endpoints = c.state.endpoints.filter((e) => e !== ep);
      await this.#applyRules();
    });
  }

  /** Its DNS name follows a rename. */
  renamed(containerId: string, name: string): void {
    const c = this.#live.get(containerId);
    if (c) c.name = name;
  }

  /** The live state of a container (after connect/disconnect), for its record. */
  stateOf(containerId: string): ContainerNetworkState | undefined {
    const c = this.#live.get(containerId);
    return c ? structuredClone(c.state) : undefined;
  }

  /** resolv.conf for a container: its network's DNS server, or the host's resolvers. */
  resolvConf(opts: { endpoints: readonly EndpointState[]; dns: readonly string[]; dnsSearch: readonly string[]; dnsOptions: readonly string[]; hostNetwork: boolean }): ResolvConf {
    const first = opts.endpoints[0];
    const search = opts.dnsSearch.length ? [...opts.dnsSearch] : this.#hostResolv.search;
    const options = opts.dnsOptions.length ? [...opts.dnsOptions] : this.#hostResolv.options;
    if (first && this.#dns.has(first.networkId)) return { nameservers: [first.gateway], search, options };
    if (opts.dns.length) return { nameservers: [...opts.dns], search, options };
    const hostServers = opts.hostNetwork ? this.#hostResolv.nameservers : nonLoopback(this.#hostResolv.nameservers);
    return { nameservers: hostServers, search, options };
  }

  #now(): string {
    return (this.#o.now?.() ?? new Date()).toISOString();
  }
}

/** A network id: 64 hex digits, as Docker's. */
function newId(): string {
  return randomBytes(32).toString('hex');
}

/** veth + 7 hex digits of (container, network): stable, and within IFNAMSIZ (15). */
function vethName(containerId: string, networkId: string): string {
  return `veth${createHash('sha256').update(`${containerId}/${networkId}`).digest('hex').slice(0, 7)}`;
}
