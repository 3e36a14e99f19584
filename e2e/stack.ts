import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, ensureDatabase, migrate, startEmbeddedPostgres } from '@berth/db';
import { createJoinToken, createUser, systemActor } from '@berth/core';
import { freePort } from '@berth/testing/registry';
import { findCgroups, removeCgroupTree } from '@berth/testing/lab';
import { ownNetworkEnv, removeOwnNetwork } from '@berth/testing/network-env';

const root = join(import.meta.dirname, '..');
const execFileAsync = promisify(execFile);

/** Names this run's cgroups (specs run in worker processes, which inherit it), so that teardown removes them all. */
export const E2E_RUN = (process.env.BERTH_E2E_RUN ??= String(process.pid));

export interface Stack {
  url: string;
  admin: { username: string; password: string };
  /** a read-only user, for what the dashboard does not offer viewers */
  viewer: { username: string; password: string };
  stop(): Promise<void>;
}

function startNode(entry: string, env: Record<string, string>, log: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: Buffer) => log.push(d.toString());
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return child;
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/** A control plane with the dashboard, its own database and an enrolled local agent. */
export async function startStack(): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-e2e-'));
  await chmod(dir, 0o711); // the embedded Postgres runs as its own user
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'postgres'), port: await freePort(), settings: { fsync: 'off' } });
  await ensureDatabase(pg.url(), 'berth');
  const databaseUrl = pg.url('berth');
  await migrate(databaseUrl);
  const db = createDb(databaseUrl);
  const admin = { username: 'e2e-admin', password: `pw-${Math.random().toString(36).slice(2)}` };
  await createUser(systemActor(), { ...admin, role: 'admin' }, db);
  const viewer = { username: 'e2e-viewer', password: `pw-${Math.random().toString(36).slice(2)}` };
  await createUser(systemActor(), { ...viewer, role: 'viewer' }, db);
  const join_ = await createJoinToken(systemActor(), { hostName: 'local', maxUses: 1, ttlSeconds: 600 }, db);
  await db.$disconnect();

  // the key that seals registry passwords, as `berth up` makes it
  const secretKey = join(dir, 'secret.key');
  await writeFile(secretKey, randomBytes(32), { mode: 0o600 });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const gateway = startNode('apps/gateway/src/main.ts', { DATABASE_URL: databaseUrl, PORT: String(port), BIND: '127.0.0.1', BERTH_HEARTBEAT_MS: '1000', BERTH_OFFLINE_AFTER_MS: '4000', BERTH_SECRET_KEY_FILE: secretKey }, log);
  const deadline = Date.now() + 90_000;
  while (!(await fetch(`${url}/api/health`).then((r) => r.ok, () => false))) {
    if (gateway.exitCode !== null || Date.now() > deadline) {
      await pg.stop();
      throw new Error(`the control plane did not start:\n${log.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // a bridge, subnet and nftables table of this run's own, in the machine's namespace (two runs
  // on one machine must not share them: one's teardown would take the other's bridge)
  const netEnv = ownNetworkEnv(`e${Number(E2E_RUN) % 100000}`);
  const agent = startNode('apps/agent/src/main.ts', {
    BERTH_CONTROL_PLANE: `ws://127.0.0.1:${port}/agent`, BERTH_HOST_NAME: 'local', BERTH_JOIN_TOKEN: join_.token,
    BERTH_STATE_DIR: join(dir, 'agent'), BERTH_CGROUP_PARENT: `berth-e2e-${E2E_RUN}`, ...netEnv,
  }, log);
  return {
    url,
    admin,
    viewer,
    async stop() {
      // the gateway's and agent's own words, for when a test fails for a reason the page cannot show
      await writeFile(join(root, 'e2e/test-results/stack.log'), log.join('')).catch(() => {});
      await stopChild(agent);
      await stopChild(gateway);
      await pg.stop();
      // the cgroups this run's agents made (the stack's and the specs' extra hosts)
      for (const cg of findCgroups('berth-e2e-').filter((c) => c.endsWith(`-${E2E_RUN}`))) removeCgroupTree(cg);
      // containers' rootfs left mounted when a test ended without removing them
      const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));
      for (const m of mounts.sort((a, b) => b.length - a.length)) await execFileAsync('umount', ['-l', m]).catch(() => undefined);
      removeOwnNetwork(netEnv, join(dir, 'agent'));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
