// `docker diff`: what a container changed, read from its overlay upper dir. A whiteout (a 0/0
// character device) is a deletion; anything else in the upper dir is an addition when no
// image layer has the path and a change when one does.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

async function inLower(lowerDirs: readonly string[], rel: string): Promise<boolean> {
  for (const d of lowerDirs) if (await lstat(join(d, rel)).then(() => true, () => false)) return true;
  return false;
}

/** Files the engine mounts into every container: not the container's changes, as docker leaves them out. */
const ENGINE_FILES = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']);

export async function containerChanges(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const out: Change[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(upperDir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${rel}/${e.name}`;
      if (ENGINE_FILES.has(path)) continue;
      const st = await lstat(join(upperDir, path));
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ kind: 'D', path });
        continue;
      }
      const kind = (await inLower(lowerDirs, path)) ? 'C' : 'A';
      if (!e.isDirectory()) {
        out.push({ kind, path });
        continue;
      }
      // an image directory counts as changed only through what changed in it (the engine's
      // mount points alone, such as /etc for /etc/hosts, are not a change)
      const at = out.length;
      await walk(path);
      if (kind === 'A' || out.length > at) out.splice(at, 0, { kind, path });
    }
  };
  await walk('');
  return out;
}
