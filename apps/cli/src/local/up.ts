import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createDb } from '@berth/db';
import { createApiToken, createJoinToken, ensureFirstAdmin, systemActor } from '@berth/core';
import type { CliEnv } from '../env.ts';
import { readConfig, writeConfig } from '../config.ts';
import { UserError } from '../errors.ts';
import { alive, waitForExit } from '../proc.ts';
import { ensureWebBuild } from './build.ts';
import { openDatabase } from './database.ts';
import { AGENT_PACKAGES, ensurePackages } from './packages.ts';
import { tsxEntry } from './paths.ts';
import { clearRunState, readRunState, writeRunState } from './run-state.ts';
import { certificateNames, ensureCertificate } from './tls.ts';

const say = (s: string) => process.stderr.write(`berth: ${s}\n`);

/** GET /api/health answers 200, over https trusting `ca` when given. */
function healthy(url: string, ca: Buffer | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(`${url}/api/health`, { ...(ca ? { ca } : {}), timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitForHealth(url: string, child: ChildProcess, logFile: string | null, ca: Buffer | undefined, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new UserError(`the control plane exited during start-up (exit ${child.exitCode})${logFile ? `: see ${logFile}` : ''}`);
    const ok = await healthy(url, ca);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new UserError(`the control plane did not answer ${url}/api/health within ${timeoutMs / 1000} s${logFile ? `: see ${logFile}` : ''}`);
}

/** Waits until host `local` is online, so that the first `berth ps` after `up -d` sees it. */
async function waitForLocalAgent(databaseUrl: string, child: ChildProcess, logFile: string | null, timeoutMs = 60_000): Promise<void> {
  const db = createDb(databaseUrl);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new UserError(`the local agent exited during start-up (exit ${child.exitCode})${logFile ? `: see ${logFile}` : ''}`);
      const local = await db.host.findUnique({ where: { name: 'local' }, select: { status: true } });
      if (local?.status === 'online') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new UserError(`the local agent did not come online within ${timeoutMs / 1000} s${logFile ? `: see ${logFile}` : ''}`);
  } finally {
    await db.$disconnect();
  }
}

/**
 * `berth up`: everything a first-time user needs on one machine: Debian packages, the
 * build, the database, the control plane, a local agent enrolled as host `local`, the
 * first admin and the CLI's credentials.
 */
export async function up(env: CliEnv, opts: { detach: boolean }): Promise<void> {
  if (process.getuid?.() !== 0) throw new UserError('berth up must run as root: the agent creates namespaces, cgroups and mounts (sudo ./berth up)');
  const prior = await readRunState(env.BERTH_CONTROL_DIR);
  if (prior?.gateway && alive(prior.gateway)) throw new UserError(`berth is running already (control plane pid ${prior.gateway}, ${prior.url}): ./berth down first`);

  await ensurePackages(AGENT_PACKAGES, say);
  await ensureWebBuild(say);
  // 0711: the embedded Postgres runs as its own user and must pass through to postgres/
  await mkdir(env.BERTH_CONTROL_DIR, { recursive: true, mode: 0o711 });
  await chmod(env.BERTH_CONTROL_DIR, 0o711);
  await mkdir(join(env.BERTH_CONTROL_DIR, 'logs'), { recursive: true, mode: 0o700 });

  const database = await openDatabase({ ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}), controlDir: env.BERTH_CONTROL_DIR, pgPort: env.BERTH_PG_PORT });
  const host = env.BIND === '0.0.0.0' || env.BIND === '::' ? '127.0.0.1' : env.BIND;
  // agents elsewhere must not dial plain ws: a control plane others can reach speaks TLS
  const loopbackOnly = host === 'localhost' || host.startsWith('127.') || host === '::1';
  const tls = env.BERTH_TLS === '1' || (env.BERTH_TLS === 'auto' && !loopbackOnly)
    ? await ensureCertificate(env.BERTH_CONTROL_DIR, certificateNames(env.BIND, env.BERTH_TLS_NAMES.split(',')))
    : null;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${env.PORT}`;
  const db = createDb(database.url);
  let admin: { username: string; password: string } | null;
  let joinToken: string | null = null;
  try {
    admin = await ensureFirstAdmin(db);
    const adminUser = (await db.user.findFirst({ where: { role: 'admin' }, orderBy: { createdAt: 'asc' } }))!;
    const actor = { ...systemActor('berth up'), id: adminUser.id, name: adminUser.username, source: 'cli' as const };
    // the CLI's token: reused while it still opens the door, replaced otherwise
    const existing = await readConfig(env.BERTH_CONFIG);
    const { actorForToken } = await import('@berth/core');
    if (!existing || existing.url !== url || !(await actorForToken(existing.token, { remoteAddr: null, source: 'cli' }, db))) {
      const t = await createApiToken(actor, { name: `cli@${hostname()}` }, db);
      await writeConfig(env.BERTH_CONFIG, { url, token: t.token, ...(tls ? { caFile: tls.certFile } : {}) });
    } else if (existing.caFile !== tls?.certFile) {
      await writeConfig(env.BERTH_CONFIG, { url, token: existing.token, ...(tls ? { caFile: tls.certFile } : {}) });
    }
    const identity = await stat(join(env.BERTH_STATE_DIR, 'identity/agent.key')).then(() => true, () => false);
    const local = await db.host.findUnique({ where: { name: 'local' } });
    if (!identity || !local || local.revokedAt) {
      if (local?.revokedAt) await db.host.delete({ where: { id: local.id } });
      joinToken = (await createJoinToken(actor, { hostName: 'local', maxUses: 1, ttlSeconds: 600 }, db)).token;
    }
  } finally {
    await db.$disconnect();
  }

  const logs = join(env.BERTH_CONTROL_DIR, 'logs');
  const start = async (name: string, entry: string, childEnv: Record<string, string>) => {
    const logFile = join(logs, `${name}.log`);
    const out = opts.detach ? await open(logFile, 'a') : null;
    const child = spawn(process.execPath, tsxEntry(entry), {
      env: { ...process.env, ...childEnv },
      detached: opts.detach,
      stdio: opts.detach ? ['ignore', out!.fd, out!.fd] : ['ignore', 'inherit', 'inherit'],
    });
    await out?.close();
    return { child, logFile: opts.detach ? logFile : null };
  };

  const secretKeyFile = await ensureSecretKey(env.BERTH_CONTROL_DIR);
  const gateway = await start('gateway', 'apps/gateway/src/main.ts', {
    DATABASE_URL: database.url, PORT: String(env.PORT), BIND: env.BIND, BERTH_SECRET_KEY_FILE: secretKeyFile,
    ...(tls ? { BERTH_TLS_CERT: tls.certFile, BERTH_TLS_KEY: tls.keyFile } : {}),
  });
  const ca = tls ? await readFile(tls.certFile) : undefined;
  const stopAll = async (agentPid?: number) => {
    for (const pid of [agentPid, gateway.child.pid]) if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
    for (const pid of [agentPid, gateway.child.pid]) if (pid) await waitForExit(pid, 10_000);
    await database.stop();
  };
  try {
    await waitForHealth(url, gateway.child, gateway.logFile, ca);
  } catch (err) {
    await stopAll();
    throw err;
  }
  const agent = await start('agent', 'apps/agent/src/main.ts', {
    BERTH_CONTROL_PLANE: `${url.replace(/^http/, 'ws')}/agent`,
    ...(tls ? { BERTH_CA_FILE: tls.certFile } : {}),
    BERTH_HOST_NAME: 'local',
    BERTH_STATE_DIR: env.BERTH_STATE_DIR,
    ...(joinToken ? { BERTH_JOIN_TOKEN: joinToken } : {}),
  });
  try {
    await waitForLocalAgent(database.url, agent.child, agent.logFile);
  } catch (err) {
    await stopAll(agent.child.pid);
    throw err;
  }
  if (opts.detach) {
    await writeRunState(env.BERTH_CONTROL_DIR, { url, gateway: gateway.child.pid!, agent: agent.child.pid!, ...(database.pid ? { postgres: database.pid } : {}) });
    gateway.child.unref();
    agent.child.unref();
  }

  process.stdout.write(`\nberth is up: ${url}\n`);
  if (admin) process.stdout.write(`  first admin created: username ${admin.username}  password ${admin.password}\n  (shown once: keep it)\n`);
  else process.stdout.write('  sign in with the admin account created on first start\n');
  process.stdout.write(`  CLI credentials: ${env.BERTH_CONFIG}\n  local agent: host "local" (state ${env.BERTH_STATE_DIR})\n`);
  if (tls) {
    process.stdout.write(`  TLS: a self-signed certificate for ${tls.names.join(', ')} (${tls.certFile}); browsers ask you to accept it once\n`);
    process.stdout.write(`  agents on other machines: BERTH_CONTROL_PLANE=wss://THIS-HOST:${env.PORT}/agent BERTH_PIN_SHA256=${tls.pinSha256}\n`);
    process.stdout.write(`    (berth host add --ssh USER@HOST --pin-sha256 ${tls.pinSha256} does it for you)\n`);
  } else if (env.BERTH_TLS === '0' && !loopbackOnly) {
    process.stdout.write('  WARNING: plain http on a reachable address (BERTH_TLS=0): agents need BERTH_ALLOW_INSECURE=1 and tokens travel in the clear\n');
  }
  if (opts.detach) {
    process.stdout.write(`  logs: ${logs}\n  stop with ./berth down (containers keep running)\n`);
    return;
  }
  process.stdout.write('  Ctrl-C stops the control plane and the agent (containers keep running)\n\n');
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    gateway.child.once('exit', (code) => {
      say(`the control plane exited (${code})`);
      resolve();
    });
  });
  await stopAll(agent.child.pid);
  await clearRunState(env.BERTH_CONTROL_DIR);
}

/**
 * The key that seals secrets (registry passwords) in the database: made once, 0600, beside the
 * database's directory but not in it, so that a dump of the database alone reveals nothing.
 */
async function ensureSecretKey(controlDir: string): Promise<string> {
  const path = join(controlDir, 'secret.key');
  const fh = await open(path, 'wx', 0o600).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? null : Promise.reject(err)));
  if (fh) {
    await fh.writeFile(randomBytes(32));
    await fh.close();
  }
  return path;
}
