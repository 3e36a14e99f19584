import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@berth/testing/db';
import pg from 'pg';
import { migrate, readMigrations } from './migrator.ts';

const count = async (url: string, sql: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
};

describe('migrator', () => {
  it('applies every migration once, in order, and records each in _prisma_migrations', async () => {
    const t = await createTestDatabase({ template: null });
    try {
      const all = await readMigrations();
      const first = await migrate(t.url);
      expect(first.applied).toEqual(all.map((m) => m.name));
      const again = await migrate(t.url);
      expect(again).toEqual({ applied: [], alreadyApplied: all.length });
      const rows = await count(t.url, 'SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name');
      expect(rows).toEqual(all.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    } finally {
      await t.drop();
    }
  });

  it('rolls back a failing migration whole and does not record it', async () => {
    const t = await createTestDatabase({ template: null });
    try {
      const bad = { name: '20990101000000_bad', sql: 'CREATE TABLE half_made (id int); SELECT no_such_function();', checksum: 'x' };
      await expect(migrate(t.url, [bad])).rejects.toThrow(/migration 20990101000000_bad failed and was rolled back/);
      expect(await count(t.url, "SELECT to_regclass('half_made') AS t")).toEqual([{ t: null }]);
      expect(await count(t.url, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: 0 }]);
    } finally {
      await t.drop();
    }
  });

  it('refuses to go on when an applied migration was edited afterwards', async () => {
    const t = await createTestDatabase({ template: null });
    try {
      const m = { name: '20990101000000_one', sql: 'CREATE TABLE one (id int);', checksum: 'a' };
      await migrate(t.url, [m]);
      await expect(migrate(t.url, [{ ...m, checksum: 'b' }])).rejects.toThrow(/was edited after it was applied/);
    } finally {
      await t.drop();
    }
  });

  it('lets concurrent starters take turns: each migration is applied exactly once', async () => {
    const t = await createTestDatabase({ template: null });
    try {
      const results = await Promise.all([migrate(t.url), migrate(t.url), migrate(t.url)]);
      const applied = results.flatMap((r) => r.applied);
      expect(applied).toEqual((await readMigrations()).map((m) => m.name));
    } finally {
      await t.drop();
    }
  });
});
