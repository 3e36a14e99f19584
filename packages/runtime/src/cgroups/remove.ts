import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The two calls removing a cgroup needs; a test double can stand in for them. */
export interface CgroupFsOps {
  readdir(path: string): Promise<{ name: string; isDirectory(): boolean }[]>;
  rmdir(path: string): Promise<void>;
}

const hostOps: CgroupFsOps = {
  readdir: (p) => readdir(p, { withFileTypes: true }),
  rmdir: (p) => rmdir(p),
};

export interface RemoveCgroupOptions {
  ops?: CgroupFsOps;
  /** A cgroup stays busy briefly after its last process is killed: retry EBUSY this long. */
  busyTimeoutMs?: number;
}

/**
 * Removes cgroup directories bottom-up (a cgroup with children cannot be removed; its
 * control files go with the rmdir). Missing directories are fine: the runtime usually
 * removed them already.
 */
export async function removeCgroup(dirs: readonly string[], opts: RemoveCgroupOptions = {}): Promise<void> {
  const ops = opts.ops ?? hostOps;
  const deadline = Date.now() + (opts.busyTimeoutMs ?? 2_000);
  for (const dir of dirs) await removeTree(dir, ops, deadline);
}

async function removeTree(dir: string, ops: CgroupFsOps, deadline: number): Promise<void> {
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = await ops.readdir(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(join(dir, e.name), ops, deadline);
  for (;;) {
    try {
      return await ops.rmdir(dir);
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT') return;
      if (code === 'EBUSY' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (code === 'EBUSY') {
        throw new Error(`cannot remove cgroup ${dir}: processes still in it (see ${join(dir, 'cgroup.procs')}); kill them first`, { cause: err });
      }
      throw new Error(`cannot remove cgroup ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
