import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { challengePayload, PROTOCOL_VERSION, type ContainerSummary, type HostFacts } from '@berth/protocol';

const IMAGES: Array<[string, string]> = [
  ['nginx:1.25-alpine', '"/docker-entrypoint.sh nginx -g \'daemon off;\'"'],
  ['postgres:16', '"docker-entrypoint.sh postgres"'],
  ['redis:7.2', '"docker-entrypoint.sh redis-server"'],
  ['ghcr.io/acme/api:2.14.3', '"node dist/server.js"'],
  ['ghcr.io/acme/worker:2.14.3', '"python -m worker --queue default"'],
  ['prom/node-exporter:v1.7.0', '"/bin/node_exporter --path.rootfs=/host"'],
  ['grafana/promtail:2.9.4', '"/usr/bin/promtail -config.file=/etc/promtail/config.yml"'],
  ['traefik:v2.11', '"/entrypoint.sh traefik"'],
];
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * `docker ps -a` of a simulated host: `n` containers of a few compose-like projects, most
 * running, one in ten exited; ids, image ids, commands, labels and statuses as Docker shows them.
 */
export function simulatedContainers(host: string, n: number): ContainerSummary[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => {
    const [image, command] = IMAGES[i % IMAGES.length]!;
    const project = `app${Math.floor(i / IMAGES.length)}`;
    const service = image.split('/').at(-1)!.split(':')[0]!;
    const exited = i % 10 === 9;
    const created = now - 3600 * (1 + ((i * 7) % 200));
    return {
      id: sha(`${host}/${i}`),
      name: `${project}-${service}-${1 + (i % 3)}`,
      image,
      imageId: `sha256:${sha(image)}`,
      command,
      created,
      state: exited ? 'exited' : 'running',
      status: exited ? `Exited (${i % 20 === 19 ? 137 : 0}) ${1 + (i % 5)} hours ago` : `Up ${1 + ((i * 7) % 200)} hours`,
      exitCode: exited ? (i % 20 === 19 ? 137 : 0) : null,
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': service, 'com.docker.compose.container-number': String(1 + (i % 3)), 'org.opencontainers.image.version': image.split(':')[1]! },
      // one published port on the first replica of each web service, as compose projects have
      ports: service === 'nginx' && i % 3 === 0 && !exited ? [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '', hostPort: 8000 + i }] : [],
      networks: [`${project}_default`],
    };
  });
}

/** An agent's error answer: the protocol's code and Docker's wording, as the real agent sends them. */
class SimulatedFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The containers a stateful simulated host has made on request: what container.create,
 * start, stop and remove do to the real agent's engine, without any process behind them.
 * Names and references follow the engine's rules (packages/runtime/src/containers/engine.ts):
 * a taken name is a conflict, a ref is an id, a name or a unique id prefix.
 */
export class SimulatedEngine {
  readonly containers = new Map<string, ContainerSummary>();

  create(p: { image: string; name?: string; labels?: Record<string, string>; cmd?: string[] }): { id: string; name: string } {
    const name = (p.name ?? `sim_${randomBytes(4).toString('hex')}`).replace(/^\//, '');
    const holder = [...this.containers.values()].find((c) => c.name === name);
    if (holder) throw new SimulatedFailure('conflict', `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
      id, name, image: p.image, imageId: `sha256:${sha(p.image)}`, command: JSON.stringify((p.cmd ?? []).join(' ')), created: Math.floor(Date.now() / 1000),
      state: 'created', status: 'Created', exitCode: null, labels: { ...(p.labels ?? {}) }, ports: [], networks: [],
    });
    return { id, name };
  }

  find(ref: string): ContainerSummary {
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^\//, '');
    for (const c of this.containers.values()) if (c.name === name) return c;
    const prefixed = [...this.containers.values()].filter((c) => ref.length > 0 && c.id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0]!;
    if (prefixed.length > 1) throw new SimulatedFailure('invalid', `multiple containers match "${ref}": give more of the id`);
    throw new SimulatedFailure('not_found', `No such container: ${ref}`);
  }

  start(ref: string): void {
    const c = this.find(ref);
    if (c.state === 'running') return;
    Object.assign(c, { state: 'running', status: 'Up Less than a second', exitCode: null });
  }

  /** A running container exits as if its process ended on SIGTERM; any other is left as it is (Docker's no-op). */
  stop(ref: string): void {
    const c = this.find(ref);
    if (c.state !== 'running') return;
    Object.assign(c, { state: 'exited', status: 'Exited (0) Less than a second ago', exitCode: 0 });
  }

  remove(ref: string, force: boolean): void {
    const c = this.find(ref);
    if (c.state === 'running' && !force) throw new SimulatedFailure('conflict', `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    this.containers.delete(c.id);
  }

  /** The containers labelled with `label`, running ones only when asked. */
  labelled(label: string, running = true): ContainerSummary[] {
    return [...this.containers.values()].filter((c) => label in c.labels && (!running || c.state === 'running'));
  }
}

/** When set, every request a simulated agent receives is recorded here: op and arrival time. */
export const requestTrace: { on: boolean; seen: Array<{ op: string; at: number }> } = { on: false, seen: [] };

/**
 * A simulated agent speaking the real protocol (real Ed25519 keys, real handshake,
 * heartbeats, requests), cheap enough to run a thousand in one process.
 */
export class SimulatedAgent {
  private ws: WebSocket | null = null;
  private readonly privateKey: KeyObject;
  readonly publicKey: string;
  private joinToken: string | null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;
  private attempt = 0;
  /** container.list's result, serialized once: `all` true, and running only */
  private readonly listJson: { all: string; running: string };
  private inventoryTimer: NodeJS.Timeout | null = null;
  /** stateful mode: the answer to each idempotency key, replayed when the outbox sends a command again (as the agent's idempotency store does) */
  private readonly answered = new Map<string, string>();
  /** in stateful mode, the containers made on request (the fixed `containers` rows stay beside them) */
  readonly engine: SimulatedEngine | null;
  online = false;
  onlineAt = 0;

  /**
   * `stateful`: container.create/start/stop/remove change this host's containers (see
   * SimulatedEngine) and each change sends a full inventory ~300 ms later, as the real agent
   * does (apps/agent/src/connection/client.ts inventoryChanged). Off, the host answers with
   * fixed rows and {ok:true}, as bench/fleet.ts expects.
   */
  constructor(readonly name: string, private url: string, joinToken: string, private readonly containers: number, opts: { stateful?: boolean } = {}) {
    const kp = generateKeyPairSync('ed25519');
    this.privateKey = kp.privateKey;
    this.publicKey = kp.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    this.joinToken = joinToken;
    const rows = simulatedContainers(name, containers);
    this.listJson = { all: JSON.stringify(rows), running: JSON.stringify(rows.filter((r) => r.state === 'running')) };
    this.engine = opts.stateful ? new SimulatedEngine() : null;
  }

  /** The fixed rows plus, in stateful mode, the containers made on request. */
  private inventoryContainers(): ContainerSummary[] {
    const fixed = simulatedContainers(this.name, this.containers);
    return this.engine ? [...fixed, ...this.engine.containers.values()] : fixed;
  }

  facts(): HostFacts {
    const made = this.engine ? [...this.engine.containers.values()] : [];
    const running = made.filter((c) => c.state === 'running').length;
    return {
      hostname: this.name, kernel: '6.1.0-sim', os: 'Simulated Linux', architecture: 'amd64', cpus: 4, memoryBytes: 8 * 2 ** 30,
      cgroupVersion: 2, cgroupMode: 'unified', cgroupDriver: 'cgroupfs', storageDriver: 'overlay', backingFilesystem: 'extfs',
      runtime: { name: 'crun', version: 'sim', path: '/usr/bin/crun' }, runtimesRefused: [],
      containers: { total: this.containers + made.length, running: this.containers - Math.floor(this.containers / 10) + running, paused: 0, stopped: Math.floor(this.containers / 10) + made.length - running }, images: 10, registryMirrors: [], agentVersion: 'sim', stateDir: '/sim',
    };
  }

  connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; nonce?: string; id?: string; op?: string; params?: { all?: boolean }; heartbeatMs?: number; idempotencyKey?: string };
      if (m.type === 'challenge') {
        const signature = sign(null, challengePayload(m.nonce!, this.publicKey), this.privateKey).toString('base64');
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'sim', publicKey: this.publicKey, signature, ...(this.joinToken ? { enroll: { joinToken: this.joinToken, hostName: this.name } } : {}) }));
      } else if (m.type === 'welcome') {
        this.joinToken = null;
        this.online = true;
        this.onlineAt = performance.now();
        this.attempt = 0;
        // the full inventory, as a real agent sends it on every connect
        this.sendInventory();
        const beat = () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat', at: Date.now(), metrics: { cpuPercent: 3, memoryUsedBytes: 2 ** 30, memoryTotalBytes: 8 * 2 ** 30, diskUsedBytes: 2 ** 34, diskTotalBytes: 2 ** 36 } }));
        // spread heartbeats over the interval, as real hosts' clocks would
        setTimeout(beat, Math.random() * m.heartbeatMs!);
        this.heartbeat = setInterval(beat, m.heartbeatMs!);
      } else if (m.type === 'request') {
        if (requestTrace.on) requestTrace.seen.push({ op: m.op!, at: performance.now() });
        if (this.engine && this.serveStateful(ws, m.id!, m.op!, m.params as Record<string, unknown>, m.idempotencyKey)) return;
        if (m.op === 'container.list') {
          // the rows are the same every time: spliced in as serialized once
          ws.send(`{"v":${JSON.stringify(PROTOCOL_VERSION)},"type":"response","id":${JSON.stringify(m.id)},"ok":true,"result":${m.params?.all ? this.listJson.all : this.listJson.running}}`);
          return;
        }
        const result = m.op === 'host.facts' ? this.facts() : m.op === 'container.start' ? { ok: true } : { pong: true, at: Date.now() };
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'response', id: m.id, ok: true, result }));
      } else if (m.type === 'refused') {
        this.stopped = true;
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.online = false;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.stopped) return;
      // the agent's own back-off: equal jitter, 500 ms doubling, 30 s cap
      const ceiling = Math.min(30_000, 500 * 2 ** Math.min(this.attempt++, 16));
      setTimeout(() => this.connect(), ceiling / 2 + (Math.random() * ceiling) / 2);
    });
  }

  private sendInventory(): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'inventory', facts: this.facts(), inventory: { containers: this.inventoryContainers(), images: [], volumes: [], networks: [] } }));
  }

  /** As the real agent: a change schedules one inventory 300 ms later, which covers the changes meanwhile. */
  private inventoryChanged(): void {
    if (this.inventoryTimer) return;
    this.inventoryTimer = setTimeout(() => {
      this.inventoryTimer = null;
      this.sendInventory();
    }, 300);
  }

  /** The container verbs in stateful mode; false for any other op (answered as before). */
  private serveStateful(ws: WebSocket, id: string, op: string, p: Record<string, unknown>, key?: string): boolean {
    const engine = this.engine!;
    const replay = key ? this.answered.get(key) : undefined;
    if (replay) {
      ws.send(`{"v":${JSON.stringify(PROTOCOL_VERSION)},"type":"response","id":${JSON.stringify(id)},${replay}}`);
      return true;
    }
    const answer = (body: string) => {
      if (key) this.answered.set(key, body);
      ws.send(`{"v":${JSON.stringify(PROTOCOL_VERSION)},"type":"response","id":${JSON.stringify(id)},${body}}`);
    };
    let result: unknown;
    try {
      switch (op) {
        case 'container.create':
          result = engine.create(p as { image: string; name?: string; labels?: Record<string, string>; cmd?: string[] });
          break;
        case 'container.start':
          engine.start(String(p.id));
          result = { ok: true };
          break;
        case 'container.stop':
          engine.stop(String(p.id));
          result = { ok: true };
          break;
        case 'container.remove':
          engine.remove(String(p.id), p.force === true);
          result = { ok: true };
          break;
        case 'container.list':
          result = this.inventoryContainers().filter((c) => p.all || c.state === 'running');
          break;
        default:
          return false;
      }
    } catch (err) {
      const code = err instanceof SimulatedFailure ? err.code : 'internal';
      answer(`"ok":false,"error":${JSON.stringify({ code, message: (err as Error).message })}`);
      return true;
    }
    answer(`"ok":true,"result":${JSON.stringify(result)}`);
    if (op !== 'container.list') this.inventoryChanged();
    return true;
  }

  /** An event as the agent would send on a container state change. */
  emit(kind: string, data: Record<string, unknown>): void {
    this.ws?.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'event', kind, at: Date.now(), data }));
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.inventoryTimer) clearTimeout(this.inventoryTimer);
    this.inventoryTimer = null;
    this.ws?.terminate();
  }

  retarget(url: string): void {
    this.url = url;
  }
}
