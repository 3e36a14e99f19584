import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { challengePayload, PROTOCOL_VERSION, type HostFacts } from '@berth/protocol';

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
  online = false;
  onlineAt = 0;

  constructor(readonly name: string, private url: string, joinToken: string, private readonly containers: number) {
    const kp = generateKeyPairSync('ed25519');
    this.privateKey = kp.privateKey;
    this.publicKey = kp.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    this.joinToken = joinToken;
  }

  facts(): HostFacts {
    return {
      hostname: this.name, kernel: '6.1.0-sim', os: 'Simulated Linux', architecture: 'amd64', cpus: 4, memoryBytes: 8 * 2 ** 30,
      cgroupVersion: 2, cgroupMode: 'unified', cgroupDriver: 'cgroupfs', storageDriver: 'overlay', backingFilesystem: 'extfs',
      runtime: { name: 'crun', version: 'sim', path: '/usr/bin/crun' }, runtimesRefused: [],
      containers: { total: this.containers, running: this.containers, paused: 0, stopped: 0 }, images: 10, registryMirrors: [], agentVersion: 'sim', stateDir: '/sim',
    };
  }

  connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; nonce?: string; id?: string; op?: string; heartbeatMs?: number };
      if (m.type === 'challenge') {
        const signature = sign(null, challengePayload(m.nonce!, this.publicKey), this.privateKey).toString('base64');
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'sim', publicKey: this.publicKey, signature, ...(this.joinToken ? { enroll: { joinToken: this.joinToken, hostName: this.name } } : {}) }));
      } else if (m.type === 'welcome') {
        this.joinToken = null;
        this.online = true;
        this.onlineAt = performance.now();
        this.attempt = 0;
        ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'inventory', facts: this.facts() }));
        const beat = () => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'heartbeat', at: Date.now(), metrics: { cpuPercent: 3, memoryUsedBytes: 2 ** 30, memoryTotalBytes: 8 * 2 ** 30, diskUsedBytes: 2 ** 34, diskTotalBytes: 2 ** 36 } }));
        // spread heartbeats over the interval, as real hosts' clocks would
        setTimeout(beat, Math.random() * m.heartbeatMs!);
        this.heartbeat = setInterval(beat, m.heartbeatMs!);
      } else if (m.type === 'request') {
        const result = m.op === 'host.facts' ? this.facts() : { pong: true, at: Date.now() };
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
