import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runAttached } from '../proc.ts';
import { UserError } from '../errors.ts';
import { repoRoot } from './paths.ts';

// Everything the dashboard bundle is built from.
const WEB_SOURCES = ['apps/web', 'packages/ui/src', 'packages/api/src', 'packages/protocol/src'];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.name === 'node_modules' || e.name === '.next' || e.name.startsWith('.turbo')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? await newestMtime(p) : (await stat(p)).mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when its sources are newer than the last build. */
export async function ensureWebBuild(log: (s: string) => void): Promise<void> {
  const buildId = join(repoRoot, 'apps/web/.next/BUILD_ID');
  const built = await stat(buildId).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(...(await Promise.all(WEB_SOURCES.map((d) => newestMtime(join(repoRoot, d))))));
  if (built > sources) return;
  log('building the dashboard (next build)…');
  const code = await runAttached(process.execPath, [join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: join(repoRoot, 'apps/web'),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (code !== 0) throw new UserError(`next build failed (exit ${code}): run \`cd apps/web && npx next build\` to see why`);
}
