import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDatabase, migrate, startEmbeddedPostgres } from '@berth/db';
import { UserError } from '../errors.ts';
import { alive } from '../proc.ts';

export interface LocalDatabase {
  url: string;
  /** pid of the embedded server, when berth runs one */
  pid: number | null;
  stop(): Promise<void>;
}

/** The pid in a running cluster's postmaster.pid, if that process is alive. */
async function runningPostmaster(dataDir: string): Promise<number | null> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  return pid > 0 && alive(pid) ? pid : null;
}

/** DATABASE_URL when set; otherwise the embedded Postgres under the control dir, started if needed. */
export async function openDatabase(o: { databaseUrl?: string; controlDir: string; pgPort: number }): Promise<LocalDatabase> {
  let db: LocalDatabase;
  if (o.databaseUrl) {
    db = { url: o.databaseUrl, pid: null, stop: async () => {} };
  } else {
    const dir = join(o.controlDir, 'postgres');
    const running = await runningPostmaster(join(dir, 'data'));
    if (running) {
      // left running by an earlier `up -d` whose `down` never came: use it
      const password = (await readFile(join(dir, 'password'), 'utf8')).trim();
      const admin = `postgresql://berth:${encodeURIComponent(password)}@127.0.0.1:${o.pgPort}/postgres`;
      db = { url: admin.replace(/\/postgres$/, '/berth'), pid: running, stop: async () => void process.kill(running, 'SIGINT') };
      await ensureDatabase(admin, 'berth');
    } else {
      const pg = await startEmbeddedPostgres({ dir, port: o.pgPort }).catch((err: Error) => {
        throw new UserError(`${err.message}${/in use|could not bind/i.test(err.message) ? ` (set BERTH_PG_PORT to a free port)` : ''}`);
      });
      await ensureDatabase(pg.url(), 'berth');
      db = { url: pg.url('berth'), pid: pg.pid, stop: () => pg.stop() };
    }
  }
  try {
    await migrate(db.url);
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new UserError(e.name === 'MigrationError' ? e.message : `cannot reach the database (${e.code ?? e.message}): check DATABASE_URL, that Postgres runs, and the password`);
  }
  return db;
}
