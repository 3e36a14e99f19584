import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import pg from 'pg';
import { actualShape, diffShapes, expectedShape } from './drift.ts';

describe('schema drift', () => {
  const t = useTestDatabase();

  it('the migrated database matches prisma/schema.prisma', async () => {
    const diff = diffShapes(await expectedShape(), await actualShape(t().url));
    expect(diff).toEqual([]);
  });

  it('reports a column whose nullability, type or presence differs, and a missing index', async () => {
    const c = new pg.Client({ connectionString: t().url });
    await c.connect();
    await c.query('ALTER TABLE hosts ALTER COLUMN agent_version SET NOT NULL');
    await c.query('ALTER TABLE users ADD COLUMN nickname text');
    await c.query('ALTER TABLE join_tokens ALTER COLUMN uses TYPE bigint');
    await c.query('DROP INDEX audit_entries_at_idx');
    await c.end();
    const diff = diffShapes(await expectedShape(), await actualShape(t().url));
    expect(diff).toEqual([
      'column hosts.agent_version: schema.prisma says text NULL, the database has text NOT NULL',
      'column join_tokens.uses: schema.prisma says int4 NOT NULL, the database has int8 NOT NULL',
      'column users.nickname (text NULL) is in the database but not in schema.prisma',
      'index audit_entries(at) index is in schema.prisma but not in the database',
    ]);
  });
});
