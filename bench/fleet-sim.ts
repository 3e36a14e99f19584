import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
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
  online = false;
  onlineAt = 0;

  constructor(readonly name: string, private url: string, joinToken: string, private readonly containers: number) {
    const kp = generateKeyPairSync('ed25519');
    this.privateKey = kp.privateKey;
    this.publicKey = kp.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    this.joinToken = joinToken;
    const rows = simulatedContainers(name, containers);
    this.listJson = { all: JSON.stringify(rows), running: JSON.stringify(rows.filter((r) => r.state === 'running')) };
  }

  facts(): HostFacts {
    return {
      hostname: this.name, kernel: '6.1.0-sim', os: 'Simulated Linux', architecture: 'amd64', cpus: 4, memoryBytes: 8 * 2 ** 30,
      cgroupVersion: 2, cgroupMode: 'unified', cgroupDriver: 'cgroupfs', storageDriver: 'overlay', backingFilesystem: 'extfs',
      runtime: { name: 'crun', version: 'sim', path: '/usr/bin/crun' }, runtimesRefused: [],
      containers: { total: this.containers, running: this.containers - Math.floor(this.containers / 10), paused: 0, stopped: Math.floor(this.containers / 10) }, images: 10, registryMirrors: [], agentVersion: 'sim', stateDir: '/sim',
    };
  }

  connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; nonce?: string; id?: string; op?: string; params?: { all?: boolean }; heartbeatMs?: number };
      if (m.type === 'challenge') {
        const signature = sign(null, challengePayload(m.nonce!, this.publicKey), this.privateKey).toString('base64');
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'sim', publicKey: this.publicKey, signature, ...(this.joinToken ? { enroll: { joinToken: this.joinToken, hostName: this.name } } : {}) }));
      } else if (m.type === 'welcome') {
        this.joinToken = null;
        this.online = true;
        this.onlineAt = performance.now();
        this.attempt = 0;
        // the full inventory, as a real agent sends it on every connect
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'inventory', facts: this.facts(), inventory: { containers: simulatedContainers(this.name, this.containers), images: [], volumes: [], networks: [] } }));
        const beat = () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat', at: Date.now(), metrics: { cpuPercent: 3, memoryUsedBytes: 2 ** 30, memoryTotalBytes: 8 * 2 ** 30, diskUsedBytes: 2 ** 34, diskTotalBytes: 2 ** 36 } }));
        // spread heartbeats over the interval, as real hosts' clocks would
        setTimeout(beat, Math.random() * m.heartbeatMs!);
        this.heartbeat = setInterval(beat, m.heartbeatMs!);
      } else if (m.type === 'request') {
        if (requestTrace.on) requestTrace.seen.push({ op: m.op!, at: performance.now() });
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

  /** An event as the agent would send on a container state change. */
  emit(kind: string, data: Record<string, unknown>): void {
    this.ws?.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'event', kind, at: Date.now(), data }));
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.terminate();
  }

  retarget(url: string): void {
    this.url = url;
  }
}
