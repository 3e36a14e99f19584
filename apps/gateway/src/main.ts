import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type NextServer from 'next';
import { LeaderLease, migrate, Notifier, useDatabase } from '@berth/db';
import { Reconciler, SecretBox } from '@berth/core';
import { AgentHub } from './agent-hub.ts';
import { CommandRelay } from './command-relay.ts';
import { gatewayFleet } from './fleet-dispatcher.ts';
import { loadEnv, parsePublicOrigins } from './env.ts';
import { createHttpServer, type HttpServerOptions } from './http-server.ts';
import { createLogger } from './log.ts';

export const VERSION = '0.1.0';

async function startWeb(dev: boolean): Promise<HttpServerOptions['web']> {
  const require = createRequire(import.meta.url);
  const next = require('next') as typeof NextServer;
  const dir = join(dirname(fileURLToPath(import.meta.url)), '../../web');
  const app = next({ dev, dir, quiet: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();
  return { handle: (req, res) => handle(req, res), upgrade: (req, socket, head) => void upgrade(req, socket, head) };
}

/** One line on stderr and exit 1: start-up problems are the operator's to fix, not a stack trace. */
function fatal(message: string): never {
  process.stderr.write(`berth gateway: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    fatal((err as Error).message);
  }
  const log = createLogger(env.BERTH_LOG_LEVEL, 'gateway');
  try {
    await migrate(env.DATABASE_URL);
  } catch (err) {
    const e = err as Error & { code?: string };
    fatal(e.name === 'MigrationError' ? e.message : `cannot reach the database at DATABASE_URL (${e.code ?? e.message}): check the URL, that Postgres is running, and the password`);
  }
  const db = useDatabase(env.DATABASE_URL);
  const hub = new AgentHub({ db, log, heartbeatMs: env.BERTH_HEARTBEAT_MS, offlineAfterMs: env.BERTH_OFFLINE_AFTER_MS });
  const notifier = new Notifier(env.DATABASE_URL, (err) => log('warn', 'database listener', { err: err.message }));
  await notifier.start();
  let secrets: SecretBox | null = null;
  if (env.BERTH_SECRET_KEY_FILE) {
    try {
      secrets = await SecretBox.fromFile(env.BERTH_SECRET_KEY_FILE);
    } catch (err) {
      fatal((err as Error).message);
    }
  }
  const relay = new CommandRelay({ db, hub, notifier, log, secrets });
  await relay.start();
  const fleet = gatewayFleet({ db, hub, notifier, secrets });
  const web = env.BERTH_WEB === '1' ? await startWeb(false) : undefined;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (env.BERTH_TLS_CERT && env.BERTH_TLS_KEY) {
    try {
      tls = { cert: await readFile(env.BERTH_TLS_CERT), key: await readFile(env.BERTH_TLS_KEY) };
    } catch (err) {
      fatal(`cannot read the TLS certificate or key: ${(err as Error).message}`);
    }
  }
  const server = createHttpServer({ db, hub, fleet, secrets, log, version: VERSION, publicOrigins: parsePublicOrigins(env.BERTH_PUBLIC_URL), ...(tls ? { tls } : {}), ...(web ? { web } : {}) });
  await new Promise<void>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') fatal(`port ${env.PORT} on ${env.BIND} is in use: stop what holds it (ss -ltnp 'sport = :${env.PORT}') or set PORT`);
      if (err.code === 'EADDRNOTAVAIL') fatal(`cannot bind ${env.BIND}: no interface has that address; set BIND`);
      fatal(`cannot listen on ${env.BIND}:${env.PORT}: ${err.message}`);
    });
    server.listen(env.PORT, env.BIND, resolve);
  });
  // desired state: one reconciler in the whole deployment, in whichever gateway leads
  const reconciler = new Reconciler({ db, fleet: gatewayFleet({ db, hub, notifier, direct: true, secrets }), secrets, log, rescheduleAfterMs: env.BERTH_RESCHEDULE_AFTER_MS });
  const lease = new LeaderLease(env.DATABASE_URL, {
    elected: () => {
      log('info', 'leading: the reconciler runs here');
      reconciler.start();
    },
    deposed: () => {
      log('warn', 'no longer leading: the reconciler stops here');
      reconciler.stop();
    },
    error: (err) => log('warn', 'leader lease', { err: err.message }),
  });
  if (env.BERTH_RECONCILER === '1') lease.start();
  if (!secrets) log('warn', 'no BERTH_SECRET_KEY_FILE: nothing can be sealed, so registry logins and the Secrets and Configs of services are refused');
  log('info', 'control plane listening', { url: `${tls ? 'https' : 'http'}://${env.BIND}:${env.PORT}`, dashboard: !!web });
  const stop = async () => {
    log('info', 'shutting down');
    server.close();
    relay.stop();
    reconciler.stop();
    await lease.close();
    await hub.close();
    await notifier.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
