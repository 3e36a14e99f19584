import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentMessage, incompatibility, MAX_FRAME_BYTES, Operations, PROTOCOL_VERSION, StreamMux, type MuxStream,
  type ControlMessage, type Hello, type HostMetrics, type OperationName, type OperationParams, type OperationResult, type RefusalCode,
} from '@berth/protocol';
import { newNonce, verifyAgentSignature } from '@berth/auth';
import { AppError, agentFailure, enrollHost, hostForKey, recordHeartbeat, recordInventory, setHostStatus, type FleetDispatcher, type FleetEvent } from '@berth/core';
import type { Db } from '@berth/db';
import type { Logger } from './log.ts';

interface Pending { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout | undefined; op: string }

interface AgentConnection {
  id: string;
  hostId: string;
  hostName: string;
  ws: WebSocket;
  remoteAddr: string | null;
  lastHeartbeat: number;
  metrics: { at: Date; metrics: HostMetrics } | null;
  degraded: boolean;
  pending: Map<string, Pending>;
  violations: number;
  mux: StreamMux;
}

export interface AgentHubOptions {
  db: Db;
  log: Logger;
  heartbeatMs: number;
  offlineAfterMs: number;
  handshakeTimeoutMs?: number;
}

/**
 * Holds the websockets of the agents connected to this gateway: authenticates them,
 * tracks their liveness, and carries requests to them (FleetDispatcher).
 */
export class AgentHub extends EventEmitter implements FleetDispatcher {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly byHost = new Map<string, AgentConnection>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly opts: AgentHubOptions) {
    super();
    this.sweeper = setInterval(() => void this.sweep(), Math.min(1000, opts.heartbeatMs));
    this.sweeper.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.socket.remoteAddress ?? null));
  }

  subscribe(listener: (e: FleetEvent) => void): () => void {
    this.on('fleet', listener);
    return () => this.off('fleet', listener);
  }

  private publish(e: FleetEvent): void {
    this.emit('fleet', e);
  }

  connectedHosts(): string[] {
    return [...this.byHost.keys()];
  }

  isConnected(hostId: string): boolean {
    return this.byHost.has(hostId);
  }

  latestMetrics(hostId: string): { at: Date; metrics: HostMetrics } | null {
    return this.byHost.get(hostId)?.metrics ?? null;
  }

  disconnect(hostId: string, reason: string): void {
    const c = this.byHost.get(hostId);
    if (!c) return;
    this.send(c.ws, { v: PROTOCOL_VERSION, type: 'refused', code: 'revoked', message: `host ${c.hostName} was ${reason}` });
    c.ws.close(4003, reason);
    this.drop(c, reason);
  }

  async request<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, o: { idempotencyKey?: string; timeoutMs?: number; stream?: MuxStream } = {}): Promise<OperationResult<K>> {
    const c = this.connection(hostId);
    const id = randomUUID();
    const raw = await new Promise<unknown>((resolve, reject) => {
      // 0: no deadline (a followed log ends when its reader goes away, not on a clock)
      const timer = o.timeoutMs === 0 ? undefined : setTimeout(() => {
        c.pending.delete(id);
        reject(new AppError('TIMEOUT', `host ${c.hostName} did not answer ${op} within ${(o.timeoutMs ?? 30000) / 1000} s`, { hostId, op }));
      }, o.timeoutMs ?? 30_000);
      c.pending.set(id, { resolve, reject, timer, op });
      this.send(c.ws, { v: PROTOCOL_VERSION, type: 'request', id, op, params, ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}), ...(o.stream ? { streamId: o.stream.id } : {}) });
    });
    // a hostile or broken agent must not put malformed data in front of users
    const parsed = Operations[op].result.safeParse(raw);
    if (!parsed.success) throw new AppError('AGENT_ERROR', `host ${c.hostName} answered ${op} with malformed data`, { hostId, op });
    return parsed.data as OperationResult<K>;
  }

  /**
   * Starts an operation whose data comes as a byte stream (logs, exec): returns the stream
   * at once and the operation's result when the agent answers.
   */
  openStream<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, o: { timeoutMs?: number } = {}): { stream: MuxStream; result: Promise<OperationResult<K>> } {
    const stream = this.connection(hostId).mux.open();
    const result = this.request(hostId, op, params, { ...o, stream });
    result.catch((err: Error) => stream.reset(err.message));
    return { stream, result };
  }

  private connection(hostId: string): AgentConnection {
    const c = this.byHost.get(hostId);
    if (!c) throw new AppError('HOST_UNAVAILABLE', 'the host is not connected: check `berth hosts` and the agent on that machine', { hostId });
    return c;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of [...this.byHost.values()]) {
      c.ws.close(1001, 'control plane shutting down');
      this.drop(c, 'shutdown', false);
    }
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private send(ws: WebSocket, msg: ControlMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  private refuse(ws: WebSocket, remoteAddr: string | null, code: RefusalCode, message: string): void {
    this.opts.log('warn', 'agent refused', { code, reason: message, remoteAddr });
    this.send(ws, { v: PROTOCOL_VERSION, type: 'refused', code, message });
    ws.close(4001, code);
  }

  private accept(ws: WebSocket, remoteAddr: string | null): void {
    const nonce = newNonce();
    let conn: AgentConnection | null = null;
    let handshaking = false;
    const handshakeTimer = setTimeout(() => !conn && this.refuse(ws, remoteAddr, 'malformed', 'no hello within the handshake timeout'), this.opts.handshakeTimeoutMs ?? 10_000);
    ws.on('error', (err) => this.opts.log('warn', 'agent socket error', { err: err.message, remoteAddr }));
    ws.on('close', () => {
      clearTimeout(handshakeTimer);
      if (conn) this.drop(conn, 'connection closed');
    });
    ws.on('message', (data, isBinary) => {
      let msg: AgentMessage;
      if (isBinary && conn) return conn.mux.onFrame(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      try {
        if (isBinary) throw new Error('binary frame before the handshake');
        msg = AgentMessage.parse(JSON.parse(data.toString()));
      } catch (err) {
        if (!conn) return this.refuse(ws, remoteAddr, 'malformed', `malformed frame: ${(err as Error).message.slice(0, 200)}`);
        this.violation(conn, `malformed frame: ${(err as Error).message.slice(0, 200)}`);
        return;
      }
      if (!conn) {
        if (msg.type !== 'hello' || handshaking) return this.refuse(ws, remoteAddr, 'malformed', `expected hello, got ${msg.type}`);
        handshaking = true;
        this.authenticate(ws, remoteAddr, nonce, msg).then((c) => {
          clearTimeout(handshakeTimer);
          conn = c;
        }, (err) => {
          this.opts.log('error', 'agent handshake failed', { err: (err as Error).message, remoteAddr });
          ws.close(1011, 'internal error');
        });
        return;
      }
      void this.onMessage(conn, msg).catch((err) => this.opts.log('error', 'agent message failed', { host: conn?.hostName, err: (err as Error).message }));
    });
    this.send(ws, { v: PROTOCOL_VERSION, type: 'challenge', nonce });
  }

  private async authenticate(ws: WebSocket, remoteAddr: string | null, nonce: string, hello: Hello): Promise<AgentConnection | null> {
    const why = incompatibility(PROTOCOL_VERSION, hello.v);
    if (why) return this.refuse(ws, remoteAddr, 'incompatible_version', why), null;
    // the signature is checked before anything is written, so a forger learns nothing
    if (!verifyAgentSignature(nonce, hello.publicKey, hello.signature)) return this.refuse(ws, remoteAddr, 'bad_signature', 'the challenge signature does not verify'), null;
    let host = await hostForKey(hello.publicKey, this.opts.db);
    if (!host && hello.enroll) {
      const r = await enrollHost({ joinToken: hello.enroll.joinToken, hostName: hello.enroll.hostName, publicKey: hello.publicKey, agentVersion: hello.agentVersion, remoteAddr }, this.opts.db);
      if (!r.ok) return this.refuse(ws, remoteAddr, r.code, r.message), null;
      host = r.host;
    }
    if (!host) return this.refuse(ws, remoteAddr, 'unknown_host', 'this key is not enrolled: start the agent with a join token (`berth host join-token`)'), null;
    if (host.revokedAt) return this.refuse(ws, remoteAddr, 'revoked', `host ${host.name} was revoked: enroll it again under a new key`), null;
    if (ws.readyState !== ws.OPEN) return null;
    const previous = this.byHost.get(host.id);
    if (previous) {
      // the newest connection wins: after a partition the old socket is usually half-dead
      previous.ws.close(4000, 'replaced by a newer connection');
      this.drop(previous, 'replaced', false);
    }
    const conn: AgentConnection = {
      id: randomUUID(), hostId: host.id, hostName: host.name, ws, remoteAddr, lastHeartbeat: Date.now(), metrics: null, degraded: false, pending: new Map(), violations: 0,
      mux: new StreamMux({ sendBinary: (b) => ws.readyState === ws.OPEN && ws.send(b), bufferedAmount: () => ws.bufferedAmount }, (what) => this.violation(conn, what)),
    };
    this.byHost.set(host.id, conn);
    await setHostStatus(host.id, 'online', { agentVersion: hello.agentVersion }, this.opts.db);
    this.send(ws, { v: PROTOCOL_VERSION, type: 'welcome', hostId: host.id, hostName: host.name, heartbeatMs: this.opts.heartbeatMs });
    this.opts.log('info', 'agent connected', { host: host.name, remoteAddr, agentVersion: hello.agentVersion });
    this.publish({ kind: 'host.status', hostId: host.id, status: 'online', at: Date.now() });
    return conn;
  }

  private async onMessage(c: AgentConnection, msg: AgentMessage): Promise<void> {
    switch (msg.type) {
      case 'hello':
        return this.violation(c, 'hello after the handshake');
      case 'heartbeat':
        c.lastHeartbeat = Date.now();
        c.metrics = { at: new Date(), metrics: msg.metrics };
        await recordHeartbeat(c.hostId, msg.metrics, this.opts.db);
        if (c.degraded) {
          c.degraded = false;
          this.publish({ kind: 'host.status', hostId: c.hostId, status: 'online', at: Date.now() });
        }
        this.publish({ kind: 'host.metrics', hostId: c.hostId, metrics: msg.metrics, at: Date.now() });
        return;
      case 'inventory':
        c.lastHeartbeat = Date.now();
        await recordInventory(c.hostId, msg.facts, this.opts.db, msg.inventory);
        // the fleet's containers table reads the stored inventories: tell it when one changed
        if (msg.inventory) this.publish({ kind: 'host.inventory', hostId: c.hostId, at: Date.now() });
        return;
      case 'response': {
        const p = c.pending.get(msg.id);
        // ids are per connection: an agent cannot answer, or see, another host's requests
        if (!p) return this.violation(c, `response to unknown request ${msg.id.slice(0, 64)}`);
        c.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(agentFailure(c.hostName, c.hostId, p.op, msg.error));
        return;
      }
      case 'event':
        this.publish({ kind: 'agent.event', hostId: c.hostId, type: msg.kind, data: msg.data, at: msg.at });
        return;
    }
  }

  private violation(c: AgentConnection, what: string): void {
    c.violations++;
    this.opts.log('warn', 'agent protocol violation', { host: c.hostName, what, count: c.violations });
    if (c.violations >= 20) {
      c.ws.close(4002, 'too many protocol violations');
      this.drop(c, 'protocol violations');
    }
  }

  private drop(c: AgentConnection, reason: string, markOffline = true): void {
    if (this.byHost.get(c.hostId) !== c) return;
    this.byHost.delete(c.hostId);
    for (const p of c.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new AppError('HOST_UNAVAILABLE', `host ${c.hostName} disconnected (${reason}) before answering ${p.op}`, { hostId: c.hostId }));
    }
    c.pending.clear();
    c.mux.closeAll(`host ${c.hostName} disconnected (${reason})`);
    this.opts.log('info', 'agent disconnected', { host: c.hostName, reason });
    if (markOffline && reason !== 'revoked') void setHostStatus(c.hostId, 'offline', {}, this.opts.db).catch(() => {});
    this.publish({ kind: 'host.status', hostId: c.hostId, status: reason === 'revoked' ? 'revoked' : 'offline', at: Date.now() });
  }

  /** online → degraded after two missed heartbeats → offline (and disconnected) after offlineAfterMs. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const c of [...this.byHost.values()]) {
      const silent = now - c.lastHeartbeat;
      if (silent > this.opts.offlineAfterMs) {
        c.ws.terminate();
        this.drop(c, `no heartbeat for ${Math.round(silent / 1000)} s`);
      } else if (silent > 2 * this.opts.heartbeatMs && !c.degraded) {
        c.degraded = true;
        await setHostStatus(c.hostId, 'degraded', {}, this.opts.db).catch(() => {});
        this.publish({ kind: 'host.status', hostId: c.hostId, status: 'degraded', at: now });
      }
    }
    // hosts shown online whose gateway died: nobody holds them, so they are offline
    await this.opts.db.host.updateMany({
      where: { status: { in: ['online', 'degraded'] }, lastSeenAt: { lt: new Date(now - this.opts.offlineAfterMs) }, id: { notIn: [...this.byHost.keys()] } },
      data: { status: 'offline' },
    }).catch(() => {});
  }
}
