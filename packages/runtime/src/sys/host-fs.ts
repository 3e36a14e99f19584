import { access, readFile, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What statfs(2) tells about the filesystem holding a path. */
export interface FsStats {
  /** f_type magic number, e.g. 0xEF53 for ext2/3/4. */
  type: number;
  /** Block size in bytes. */
  bsize: number;
  blocks: number;
  bfree: number;
  /** Blocks available to unprivileged users. */
  bavail: number;
}

/**
 * Read-only view of the host's files (/proc, /sys, /etc). Host facts and cgroup
 * detection read through it, so unit tests can hand them fixture text instead.
 */
export interface HostFs {
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
  statfs(path: string): Promise<FsStats>;
}

/** The real host, or a directory laid out like one (`root` is prefixed to every path). */
export function rootedHostFs(root = '/'): HostFs {
  const at = (p: string) => (root === '/' ? p : join(root, p));
  return {
    readFile: (p) => readFile(at(p), 'utf8'),
    exists: (p) => access(at(p)).then(() => true, () => false),
    async statfs(p) {
      const s = await statfs(at(p));
      return { type: s.type, bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
    },
  };
}

/** In-memory HostFs for unit tests: file text by absolute path, statfs answers by path prefix. */
export function memoryHostFs(files: Record<string, string>, filesystems: Record<string, FsStats> = {}): HostFs {
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT', path: p });
  // Directories exist implicitly: above any file, and at and above any mount point.
  const paths = [...Object.keys(files), ...Object.keys(filesystems)];
  const isDir = (p: string) => p === '/' || paths.some((f) => f === p || f.startsWith(`${p}/`));
  return {
    async readFile(p) {
      const text = files[p];
      if (text === undefined) throw enoent(p);
      return text;
    },
    exists: async (p) => files[p] !== undefined || isDir(p),
    async statfs(p) {
      // The longest mount point that contains p, as the kernel would resolve it.
      const mount = Object.keys(filesystems)
        .filter((m) => p === m || p.startsWith(m === '/' ? '/' : `${m}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (mount === undefined) throw enoent(p);
      return filesystems[mount] as FsStats;
    },
  };
}

/** statfs of `dir`, or of its nearest existing ancestor (a state dir may not exist yet). */
export async function statfsNearest(fs: HostFs, dir: string): Promise<FsStats> {
  for (let p = dir; ; p = dirname(p)) {
    if (await fs.exists(p)) return fs.statfs(p);
    if (p === dirname(p)) throw new Error(`statfs ${dir}: neither it nor any parent directory exists`);
  }
}
