import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import pg from 'pg';
import { createDb, ensureDatabase, type Db } from '@berth/db';
import type {} from './provided.ts';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, dropped when the file's tests end. */
export async function createTestDatabase(opts: { template?: string | null } = {}): Promise<TestDatabase> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(admin, name, opts.template === null ? undefined : (opts.template ?? 'berth_template'));
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  const db = createDb(url);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await db.$disconnect();
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  };
  return { url, db, drop };
}

/** createTestDatabase() for a whole test file: made in beforeAll, dropped in afterAll. */
export function useTestDatabase(opts: { template?: string | null } = {}): () => TestDatabase {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(opts);
  });
  afterAll(async () => t?.drop());
  return () => {
    if (!t) throw new Error('the test database exists only inside tests and hooks');
    return t;
  };
}
