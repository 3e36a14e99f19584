import { readFileSync } from 'node:fs';
import { createHash, type X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { ControlMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION, StreamMux, type AgentMessage } from '@berth/protocol';
import { dispatch, HandlerError, type AgentContext } from '../handlers/index.ts';
import type { AgentIdentity } from '../identity.ts';
import type { Logger } from '../log.ts';
import { backoffDelay } from './backoff.ts';
import { IdempotencyCache, ReplayedFailure } from './idempotency.ts';

export interface ConnectionOptions {
  url: string;
  hostName: string;
  joinToken?: string;
  identity: AgentIdentity;
  agentVersion: string;
  ctx: AgentContext;
  log: Logger;
  caFile?: string;
  pinSha256?: string;
  /** where outcomes of commands are remembered across restarts */
  idempotencyDir?: string;
  /** called when the control plane refuses for good (revoked, bad token, incompatible) */
  onFatal(message: string): void;
}

const FATAL = new Set(['revoked', 'bad_join_token', 'incompatible_version', 'name_taken', 'unknown_host']);

/**
 * The agent's one connection to the control plane: dials out, answers the challenge,
 * sends its inventory, heartbeats, serves requests, and reconnects with back-off.
 */
export class ControlPlaneConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private inventoryTimer: NodeJS.Timeout | null = null;
  private readonly idempotency: IdempotencyCache;
  /** when the control plane last showed signs of life (a frame or a pong) */
  private lastHeard = 0;
  private mux: StreamMux | null = null;
  hostName: string | null = null;

  constructor(private readonly o: ConnectionOptions) {
    this.idempotency = new IdempotencyCache(o.idempotencyDir ?? null);
  }

  async start(): Promise<void> {
    await this.idempotency.init();
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close(1000, 'agent stopping');
  }

  private connect(): void {
    const { o } = this;
    const tls = o.caFile ? { ca: readFileSync(o.caFile) } : {};
    const ws = new WebSocket(o.url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 10_000, ...tls, ...(o.pinSha256 ? { rejectUnauthorized: !!o.caFile } : {}) });
    this.ws = ws;
    const mux = new StreamMux({ sendBinary: (b) => ws.readyState === WebSocket.OPEN && ws.send(b), bufferedAmount: () => ws.bufferedAmount }, (what) =>
      o.log('warn', 'stream protocol violation by the control plane', { what }));
    this.mux = mux;
    let welcomed = false;
    if (o.pinSha256) {
      ws.once('upgrade', (res) => {
        const cert = (res.socket as TLSSocket).getPeerX509Certificate?.() as X509Certificate | undefined;
        const pin = cert ? createHash('sha256').update(cert.publicKey.export({ format: 'der', type: 'spki' })).digest('base64') : null;
        if (pin !== o.pinSha256) {
          o.log('error', 'control plane certificate does not match the pinned key: refusing', { got: pin });
          ws.terminate();
        }
      });
    }
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('message', (data, isBinary) => {
      this.lastHeard = Date.now();
      if (isBinary) return mux.onFrame(data as Buffer);
      let msg: ControlMessage;
      try {
        msg = ControlMessage.parse(JSON.parse(data.toString()));
      } catch (err) {
        o.log('warn', 'malformed frame from the control plane', { err: (err as Error).message.slice(0, 200) });
        return;
      }
      switch (msg.type) {
        case 'challenge':
          this.send({
            v: PROTOCOL_VERSION, type: 'hello', agentVersion: o.agentVersion, publicKey: o.identity.publicKey, signature: o.identity.sign(msg.nonce),
            ...(o.joinToken ? { enroll: { joinToken: o.joinToken, hostName: o.hostName } } : {}),
          });
          return;
        case 'welcome':
          welcomed = true;
          this.attempt = 0;
          this.hostName = msg.hostName;
          o.log('info', 'connected to the control plane', { host: msg.hostName, url: o.url });
          void this.sendInventory();
          this.startHeartbeat(msg.heartbeatMs);
          return;
        case 'refused':
          o.log('error', 'refused by the control plane', { code: msg.code, reason: msg.message });
          if (FATAL.has(msg.code) && !(msg.code === 'bad_join_token' && welcomed)) {
            this.stopped = true;
            o.onFatal(`${msg.code}: ${msg.message}`);
          }
          return;
        case 'request':
          void this.serve(msg.id, msg.op, msg.params, msg.idempotencyKey, msg.streamId);
          return;
      }
    });
    ws.on('error', (err) => o.log('warn', 'control plane connection error', { err: err.message }));
    ws.on('close', (code, reason) => {
      mux.closeAll('connection to the control plane closed');
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      if (this.stopped) return;
      const delay = backoffDelay(this.attempt++);
      o.log('info', 'disconnected; reconnecting', { code, reason: reason.toString(), inMs: delay });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Sends a fresh inventory soon: changes come in bursts (create, start), one inventory covers them. */
  inventoryChanged(): void {
    if (this.inventoryTimer) return;
    this.inventoryTimer = setTimeout(() => {
      this.inventoryTimer = null;
      void this.sendInventory();
    }, 300);
    this.inventoryTimer.unref();
  }

  /** An event for the control plane; dropped while disconnected (the next inventory catches up). */
  event(kind: string, data: Record<string, unknown>): void {
    this.send({ v: PROTOCOL_VERSION, type: 'event', kind, at: Date.now(), data });
  }

  private send(msg: AgentMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private async sendInventory(): Promise<void> {
    try {
      const [facts, inventory] = await Promise.all([this.o.ctx.facts(), this.o.ctx.inventory()]);
      this.send({ v: PROTOCOL_VERSION, type: 'inventory', facts, inventory });
    } catch (err) {
      this.o.log('error', 'cannot gather host facts', { err: (err as Error).message });
    }
  }

  private startHeartbeat(ms: number): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const beat = async () => {
      // a partition leaves the socket open but silent: notice it ourselves, then redial
      if (Date.now() - this.lastHeard > Math.max(3 * ms, 5000)) {
        this.o.log('warn', 'the control plane stopped answering; reconnecting', { silentMs: Date.now() - this.lastHeard });
        this.ws?.terminate();
        return;
      }
      this.ws?.ping();
      try {
        this.send({ v: PROTOCOL_VERSION, type: 'heartbeat', at: Date.now(), metrics: await this.o.ctx.metrics() });
      } catch (err) {
        this.o.log('warn', 'cannot gather host metrics', { err: (err as Error).message });
      }
    };
    void beat();
    this.heartbeat = setInterval(() => void beat(), ms);
  }

  private async serve(id: string, op: string, params: unknown, idempotencyKey?: string, streamId?: number): Promise<void> {
    let stream = null;
    try {
      stream = streamId !== undefined ? this.mux!.accept(streamId) : null;
      const io = { stream };
      const result = await this.idempotency.run(idempotencyKey, () => dispatch(op, params, this.o.ctx, io), (err) => (err instanceof HandlerError ? err.code : 'internal'));
      stream?.end();
      this.send({ v: PROTOCOL_VERSION, type: 'response', id, ok: true, result });
    } catch (err) {
      const code = err instanceof HandlerError || err instanceof ReplayedFailure ? err.code : 'internal';
      stream?.reset((err as Error).message);
      this.send({ v: PROTOCOL_VERSION, type: 'response', id, ok: false, error: { code, message: (err as Error).message } });
    }
  }
}
