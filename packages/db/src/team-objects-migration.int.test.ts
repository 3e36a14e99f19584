import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '@berth/testing/db';
import pg from 'pg';
import { migrate, readMigrations } from './migrator.ts';

const TEAM_OBJECTS = '20261130200000_team_objects';

/** A database migrated up to (not including) the team objects migration, with a service and a secret made then. */
async function before(sql: string) {
  const t = await createTestDatabase({ template: null });
  const all = await readMigrations();
  const at = all.findIndex((m) => m.name === TEAM_OBJECTS);
  expect(at).toBeGreaterThan(0);
  await migrate(t.url, all.slice(0, at));
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  await c.query(`INSERT INTO services (id, name, spec, updated_at) VALUES (gen_random_uuid(), 'web', '{}', now());
                 INSERT INTO secrets (id, kind, name, sealed, size) VALUES (gen_random_uuid(), 'secret', 'db_pw', '\\x00', 1);
                 ${sql}`);
  await migrate(t.url, all);
  return { t, c };
}

const owners = async (c: pg.Client) =>
  (await c.query(`SELECT 'service ' || s.name AS what, t.name AS team FROM services s JOIN teams t ON t.id = s.team_id
                  UNION ALL SELECT 'secret ' || x.name, t.name FROM secrets x JOIN teams t ON t.id = x.team_id ORDER BY 1`)).rows;

describe('migration 20261130200000_team_objects', () => {
  it('gives the services and secrets that exist to the team default', async () => {
    const { t, c } = await before('');
    try {
      expect(await owners(c)).toEqual([{ what: 'secret db_pw', team: 'default' }, { what: 'service web', team: 'default' }]);
      // and from now on a team is required
      await expect(c.query(`INSERT INTO services (id, name, spec, updated_at) VALUES (gen_random_uuid(), 'x', '{}', now())`)).rejects.toThrow(/team_id/);
    } finally {
      await c.end();
      await t.drop();
    }
  });

  it('makes the team default again when it was removed', async () => {
    const { t, c } = await before(`DELETE FROM teams WHERE name = 'default'`);
    try {
      expect(await owners(c)).toEqual([{ what: 'secret db_pw', team: 'default' }, { what: 'service web', team: 'default' }]);
    } finally {
      await c.end();
      await t.drop();
    }
  });
});
