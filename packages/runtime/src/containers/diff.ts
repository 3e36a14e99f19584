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

export async function containerChanges(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const out: Change[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(upperDir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${rel}/${e.name}`;
      const st = await lstat(join(upperDir, path));
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ kind: 'D', path });
        continue;
      }
      out.push({ kind: (await inLower(lowerDirs, path)) ? 'C' : 'A', path });
      if (e.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return out;
}
