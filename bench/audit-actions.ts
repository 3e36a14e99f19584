/**
 * The audit page's action suggestions on a large log: `auditActions` (a loose scan of the index
 * on `audit_entries(action)`, one probe per distinct action) against the direct query it
 * replaces, `SELECT DISTINCT action` (every entry grouped), in the same run on the same table;
 * and what the migration costs, the index's build, timed on that table.
 *
 *   node --import tsx bench/audit-actions.ts [--entries 1000000] [--actions 60] [--runs 20]
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditActions } from '@berth/core';
import { startEmbeddedPostgres } from '@berth/db';
import { freePort } from '@berth/testing/registry';
import { log, machine, pct, seedControlPlane } from './common.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '1000000' }, actions: { type: 'string', default: '60' }, runs: { type: 'string', default: '20' } } });
const ENTRIES = Number(values.entries);
const ACTIONS = Number(values.actions);
const RUNS = Number(values.runs);

const summary = (xs: number[]) => ({ p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2), min: +Math.min(...xs).toFixed(2) });

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

const dir = await mkdtemp(join(tmpdir(), 'berth-bench-audit-'));
await chmod(dir, 0o711);
const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort() });
try {
  const { db } = await seedControlPlane(pg, 1);
  let t = performance.now();
  // entries as the log holds them (the hash chain is not what is measured here: unique stand-ins)
  await db.$executeRawUnsafe(`
    INSERT INTO audit_entries (at, actor_name, source, action, outcome, prev_hash, hash)
    SELECT now() - (i || ' seconds')::interval, 'user' || (i % 50), 'web',
           'domain' || (i % ${ACTIONS} / 6) || '.verb' || (i % 6), 'ok', '', md5(i::text)
      FROM generate_series(1, ${ENTRIES}) AS i`);
  await db.$executeRawUnsafe('VACUUM ANALYZE audit_entries');
  log(`seeded ${ENTRIES} audit entries in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const distinct = () => db.$queryRawUnsafe<{ action: string }[]>('SELECT DISTINCT action FROM audit_entries ORDER BY action');
  const found = await auditActions(db);
  const expected = (await distinct()).map((r) => r.action);
  if (JSON.stringify(found) !== JSON.stringify(expected)) throw new Error(`auditActions gave ${found.length} actions, SELECT DISTINCT ${expected.length}`);

  const loose: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    loose.push(await timed(() => auditActions(db)));
    direct.push(await timed(distinct));
  }
  // the migration's cost on this log: the index built again from nothing
  await db.$executeRawUnsafe('DROP INDEX audit_entries_action_idx');
  t = performance.now();
  await db.$executeRawUnsafe('CREATE INDEX "audit_entries_action_idx" ON "audit_entries"("action")');
  const buildMs = performance.now() - t;

  console.log(JSON.stringify({
    when: new Date().toISOString(),
    machine: await machine(),
    entries: ENTRIES,
    distinctActions: found.length,
    runs: RUNS,
    auditActionsMs: summary(loose),
    selectDistinctMs: summary(direct),
    indexBuildMs: +buildMs.toFixed(0),
  }, null, 2));
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
