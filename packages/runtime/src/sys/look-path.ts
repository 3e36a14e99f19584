import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';

/** Where root's binaries live on Debian and most distributions; env.ts may pass $PATH instead. */
export const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The first executable called `name` in the colon-separated `searchPath`, or null. */
export async function lookPath(name: string, searchPath: string = DEFAULT_SEARCH_PATH): Promise<string | null> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : null;
  for (const dir of searchPath.split(':')) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}
