// Private scratch directories of load and commit under <root>/staging: made per operation,
// removed when it ends, and leftovers of a crashed process removed by the next operation.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const active = new Set<string>();
/** A staging dir this old and not in use by this process is a crash's leftover. */
const STALE_MS = 6 * 60 * 60 * 1000;

async function removeStale(base: string): Promise<void> {
  for (const name of await readdir(base).catch(() => [] as string[])) {
    const path = join(base, name);
    if (active.has(path)) continue;
    const st = await stat(path).catch(() => null);
    if (st && Date.now() - st.mtimeMs > STALE_MS) await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

/** Runs `fn` with a fresh private directory, removed afterwards whatever happens. */
export async function withStaging<T>(root: string, prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const base = join(root, 'staging');
  await mkdir(base, { recursive: true, mode: 0o700 });
  await removeStale(base);
  const dir = join(base, `${prefix}-${randomBytes(6).toString('hex')}`);
  active.add(dir);
  try {
    await mkdir(dir, { mode: 0o700 });
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    active.delete(dir);
  }
}
