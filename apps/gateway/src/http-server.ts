import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, createContext } from '@berth/api';
import type { Db } from '@berth/db';
import type { FleetDispatcher, SecretBox } from '@berth/core';
import { PROTOCOL_VERSION } from '@berth/protocol';
import type { Duplex } from 'node:stream';
import type { AgentHub } from './agent-hub.ts';
import { exportAuditCsv } from './audit-export.ts';
import { ExecSockets } from './exec-socket.ts';
import { ImageTransfer } from './image-transfer.ts';
import { headersOf } from './request-actor.ts';
import { csrfRefusal, refreshCsrfCookie, upgradeRefusal, type OriginPolicy } from './request-origin.ts';
import type { Logger } from './log.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServerOptions {
  db: Db;
  hub: AgentHub;
  /** how the API reaches hosts (the outbox, for hosts held by any gateway) */
  fleet: FleetDispatcher;
  secrets?: SecretBox | null;
  log: Logger;
  version: string;
  /** the dashboard (Next.js) for everything that is not the API or an agent */
  /** PEM certificate and key: serve https/wss (agents then verify or pin the certificate) */
  tls?: { cert: Buffer; key: Buffer };
  /** origins of BERTH_PUBLIC_URL: where users reach the dashboard through a reverse proxy */
  publicOrigins?: string[];
  web?: { handle: RequestHandler; upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void };
}

/**
 * One HTTP server for the embedded control plane: /agent (agent websockets), /api/health,
 * /api/trpc (the API, served here because this process holds the agent connections),
 * /api/audit/export.csv (the audit log as CSV), and the dashboard for the rest.
 */
// Event streams answer 200 before their procedure runs (SSE): their callers are checked
// here first, so that an anonymous caller gets a 401 like everywhere else.
const SUBSCRIPTIONS = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, p]) => p._def.type === 'subscription')
    .map(([path]) => path),
);

export function createHttpServer(o: HttpServerOptions): Server {
  const origins: OriginPolicy = { tls: !!o.tls, publicOrigins: o.publicOrigins ?? [] };
  // Secure cookies whenever browsers reach the dashboard over https: served here, or by a TLS proxy
  const secureCookies = !!o.tls || origins.publicOrigins.some((u) => u.startsWith('https:'));
  const contextFor = (req: IncomingMessage, res: ServerResponse) =>
    createContext({
      headers: headersOf(req),
      appendHeader: (n, v) => res.appendHeader(n, v),
      db: o.db,
      fleet: o.fleet,
      secrets: o.secrets ?? null,
      remoteAddr: req.socket.remoteAddress ?? null,
      secureCookies,
    });
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: ({ req, res }) => contextFor(req, res),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') o.log('error', 'api error', { path, err: error.message, cause: (error.cause as Error | undefined)?.stack });
    },
    // a config may hold 1000 KB, base64 in JSON a third more
    maxBodySize: 2 * 1024 * 1024,
  });

  const imageTransfer = new ImageTransfer({ db: o.db, fleet: o.fleet, log: o.log, origins });
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      const refused = csrfRefusal(req, origins);
      if (refused) return refuse(res, path, refused);
      refreshCsrfCookie(req, res, secureCookies);
      if (path === '/api/health') {
        const database = await o.db.$queryRaw`SELECT 1`.then(() => true, () => false);
        res.writeHead(database ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: database, database, version: o.version, protocol: PROTOCOL_VERSION, agentsConnected: o.hub.connectedHosts().length }));
        return;
      }
      if (path === '/api/images/save' || path === '/api/images/load' || path === '/api/containers/export') return await imageTransfer.handle(req, res, path);
      if (path === '/api/audit/export.csv') return await exportAuditCsv(req, res, { ...o, origins });
      if (path.startsWith('/api/trpc/')) {
        if (SUBSCRIPTIONS.has(path.slice('/api/trpc/'.length)) && !(await contextFor(req, res)).actor) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { json: { message: 'sign in, or pass an API token (Authorization: Bearer berth_…)', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } } }));
          return;
        }
        return trpc(req, res);
      }
      if (o.web) return await o.web.handle(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this gateway serves /agent and /api only\n');
    } catch (err) {
      o.log('error', 'request failed', { path, err: (err as Error).message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    }
  };
  const execSockets = new ExecSockets({ db: o.db, fleet: o.fleet, log: o.log });
  const server: Server = o.tls ? createTlsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, handler) : createServer(handler);
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/agent') return o.hub.handleUpgrade(req, socket, head);
    const refused = upgradeRefusal(req, origins);
    if (refused) return void socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${refused}\n`);
    if (path === '/api/exec') return execSockets.handleUpgrade(req, socket, head);
    if (o.web?.upgrade) return o.web.upgrade(req, socket, head);
    socket.destroy();
  });
  return server;
}

/** 403 for a refused cross-site request: shaped as a tRPC error for the API, so the dashboard shows the message. */
function refuse(res: ServerResponse, path: string, message: string): void {
  res.writeHead(403, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(path.startsWith('/api/trpc/')
    ? { error: { json: { message, code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403 } } } }
    : { error: message, code: 'FORBIDDEN' }));
}
