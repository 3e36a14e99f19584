import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { appendAudit, AppError, requireHostRole, type FleetDispatcher } from '@berth/core';
import type { Db } from '@berth/db';
import { StreamChannel, TerminalSize, type Channel } from '@berth/protocol';
import { requestActor } from './request-actor.ts';

/** The first message of a terminal session: what to run where (`berth exec -it`, the web terminal). */
export const ExecStart = z.object({
  host: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
  cmd: z.array(z.string()).min(1),
  env: z.array(z.string().regex(/^[^=]+=/, 'env is NAME=value')).default([]),
  user: z.string().optional(),
  workingDir: z.string().optional(),
  interactive: z.boolean().default(true),
  tty: TerminalSize.optional(),
});

/** Or: attach to the container's main process (`berth attach`, `berth run -it`, `start -a`). */
export const AttachStart = z.object({
  host: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
  attach: z.literal(true),
  /** start it first, attached before it runs (run, start -a) */
  start: z.boolean().default(false),
  stdin: z.boolean().default(false),
  tty: TerminalSize.optional(),
});

const ClientControl = z.union([z.object({ resize: TerminalSize }), z.object({ eof: z.literal(true) })]);

/**
 * Interactive exec over a websocket at /api/exec: the one place a user's keystrokes flow to a
 * container, so it is authenticated like the API (bearer token or session cookie), refuses
 * cross-site pages (before the upgrade reaches it), needs the operator role and is audited. Frames: binary from the client is
 * stdin; binary to it is [channel, ...bytes] (1 stdout, 2 stderr); text is JSON control:
 * {"resize":{cols,rows}}, {"eof":true} from the client; {"exit":n} or {"error":msg} to it.
 */
export class ExecSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  constructor(private readonly o: { db: Db; fleet: FleetDispatcher; log: (level: 'info' | 'warn' | 'error', msg: string, f?: Record<string, unknown>) => void}) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // cross-site upgrades were refused before this, for every websocket (http-server.ts, request-origin.ts)
    void this.authenticate(req).then(
      (actor) => {
        if (!actor) {
          socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n\r\nsign in, or pass an API token (Authorization: Bearer berth_…)\n');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, actor));
      },
      () => socket.destroy(),
    );
  }

  private authenticate(req: IncomingMessage) {
    return requestActor(req, this.o);
  }


  private serve(ws: WebSocket, actor: NonNullable<Awaited<ReturnType<ExecSockets['authenticate']>>>): void {
    const fail = (err: unknown) => {
      const message = err instanceof AppError || err instanceof z.ZodError ? (err instanceof z.ZodError ? `bad exec request: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` : err.message) : 'internal error';
      if (!(err instanceof AppError) && !(err instanceof z.ZodError)) this.o.log('error', 'exec session failed', { err: (err as Error).message });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ error: message, code: err instanceof AppError ? err.code : 'INVALID' }));
      ws.close(1000);
    };
    // keystrokes typed while the session is being set up wait for it, in order
    const early: { data: Buffer; binary: boolean }[] = [];
    let deliver: ((data: Buffer, binary: boolean) => void) | null = null;
    let started = false;
    ws.on('message', (data: Buffer, binary) => {
      if (!started) {
        started = true;
        void begin(data, binary).catch(fail);
      } else if (deliver) deliver(data, binary);
      else early.push({ data, binary });
    });
    const begin = async (data: Buffer, binary: boolean) => {
      if (binary) throw new AppError('INVALID', 'the first message must be the exec request (JSON)');
      const raw = JSON.parse(String(data)) as { attach?: unknown };
      const attach = raw.attach === true ? AttachStart.parse(raw) : null;
      const exec = attach ? null : ExecStart.parse(raw);
      const target = (attach ?? exec)!;
      // operator on the host's team; another team's host is an unknown one
      const host = await requireHostRole(actor, target.host, 'operator', attach ? 'attaching to a container' : 'running a command in a container', this.o.db);
      const audited = attach
        ? { action: 'container.attach', params: { start: attach.start, stdin: attach.stdin, tty: !!attach.tty } }
        : { action: 'container.exec', params: { cmd: exec!.cmd, user: exec!.user, tty: !!exec!.tty } };
      await this.o.db.$transaction((tx) => appendAudit(tx, actor, { ...audited, hostId: host.id, objectType: 'container', objectId: target.id, outcome: 'ok' }));
      const opened = attach
        ? this.o.fleet.openStream(host.id, 'container.attach', { id: attach.id, start: attach.start, stdin: attach.stdin, ...(attach.tty ? { tty: attach.tty } : {}) }, { timeoutMs: 0 })
        : (() => {
            const { host: _h, ...params } = exec!;
            return this.o.fleet.openStream(host.id, 'container.exec', params, { timeoutMs: 0 });
          })();
      const { stream } = opened;
      const result = opened.result as Promise<{ exitCode: number | null }>;
      // in order: stdin bytes, resizes and end-of-input go out one after the other
      let queue = Promise.resolve();
      const then = (f: () => unknown) => (queue = queue.then(f).then(() => undefined, () => undefined));
      deliver = (msg, isBinary) => {
        if (isBinary) return void then(() => stream.write(StreamChannel.stdin as Channel, msg));
        let ctl;
        try {
          ctl = ClientControl.safeParse(JSON.parse(String(msg)));
        } catch {
          return;
        }
        if (!ctl.success) return;
        const line = Buffer.from(`${JSON.stringify(ctl.data)}\n`);
        if ('eof' in ctl.data) void then(() => stream.end());
        else void then(() => stream.write(StreamChannel.json as Channel, line));
      };
      for (const m of early.splice(0)) deliver(m.data, m.binary);
      ws.on('close', () => stream.reset('the terminal was closed'));
      const output = (async () => {
        for await (const c of stream) {
          if (ws.readyState !== ws.OPEN) break;
          ws.send(Buffer.concat([Buffer.from([c.channel]), c.data]));
        }
      })().catch(() => undefined);
      const { exitCode } = await result;
      await output;
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ exit: exitCode }));
      ws.close(1000);
    };
  }
}
