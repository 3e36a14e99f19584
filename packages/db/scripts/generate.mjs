// Runs `prisma generate` offline. Generate never uses the schema engine, but Prisma's CLI
// insists that one exists, and it cannot be downloaded here: point it at a stub.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = join(root, 'prisma/schema.prisma');
const out = join(root, 'packages/db/src/generated/client.ts');
if (process.argv.includes('--if-stale') && existsSync(out) && statSync(out).mtimeMs > statSync(schema).mtimeMs) process.exit(0);

const stubDir = join(root, 'node_modules/.cache/berth');
const stub = join(stubDir, 'schema-engine-stub');
if (!existsSync(stub)) {
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(stub, '#!/bin/sh\necho "schema engine not available: berth applies migrations itself" >&2\nexit 1\n');
  chmodSync(stub, 0o755);
}
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
const r = spawnSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
