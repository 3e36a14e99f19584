import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrate, startEmbeddedPostgres } from '@berth/db';
import type {} from './provided.ts';
import { freePort } from './registry/free-port.ts';

export const TEMPLATE_DB = 'berth_template';

/**
 * One embedded Postgres per test run, with a migrated template database; each test file
 * clones the template (CREATE DATABASE ... TEMPLATE is a file copy, milliseconds).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-test-pg-'));
  const pg = await startEmbeddedPostgres({ dir, port: await freePort(), settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' } });
  await ensureDatabase(pg.url(), TEMPLATE_DB);
  await migrate(pg.url(TEMPLATE_DB));
  project.provide('pgAdminUrl', pg.url());
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
