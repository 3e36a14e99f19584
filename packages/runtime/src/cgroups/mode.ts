import { parseMountinfo } from '../sys/mountinfo.ts';
import type { MountInfo } from '../sys/mountinfo.ts';

/**
 * How cgroups are mounted, in systemd's words: `unified` is pure v2 (cgroup2 at
 * /sys/fs/cgroup), `legacy` is v1 only, `hybrid` is v1 plus a cgroup2 mount beside it
 * (usually /sys/fs/cgroup/unified) that holds no controllers containers can use.
 */
export type CgroupMode = 'unified' | 'hybrid' | 'legacy';

export interface CgroupLayout {
  /** 2 only when unified; hybrid hosts manage resources through v1. */
  version: 1 | 2;
  mode: CgroupMode;
  /** v1 hierarchies: controller (or "name=systemd") → its mount point. Empty when unified. */
  v1: Record<string, string>;
  /** Where cgroup2 is mounted, if anywhere. */
  unifiedMountPoint: string | null;
}

export class CgroupDetectionError extends Error {
  override readonly name = 'CgroupDetectionError';
}

const V1_NAMED_PREFIX = 'name=';
// Options that appear on a v1 superblock but are not controllers.
const V1_NON_CONTROLLER_OPTIONS = new Set(['rw', 'ro', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode']);

/** Tells the cgroup mode from /proc/self/mountinfo text (or already parsed mounts). */
export function detectCgroupMode(mountinfo: string | readonly MountInfo[]): CgroupLayout {
  const mounts = typeof mountinfo === 'string' ? parseMountinfo(mountinfo) : mountinfo;
  const v1: Record<string, string> = {};
  for (const m of mounts) {
    if (m.fsType !== 'cgroup') continue;
    for (const opt of m.superOptions) {
      if (V1_NON_CONTROLLER_OPTIONS.has(opt) || (opt.includes('=') && !opt.startsWith(V1_NAMED_PREFIX))) continue;
      // A hierarchy can be mounted twice (e.g. bind-mounted into a chroot): keep the first.
      v1[opt] ??= m.mountPoint;
    }
  }
  const v2Mounts = mounts.filter((m) => m.fsType === 'cgroup2');
  const unified = v2Mounts.find((m) => m.mountPoint === '/sys/fs/cgroup') ?? v2Mounts[0];
  const hasV1 = Object.keys(v1).length > 0;

  if (unified && !hasV1) return { version: 2, mode: 'unified', v1: {}, unifiedMountPoint: unified.mountPoint };
  if (hasV1) return { version: 1, mode: unified ? 'hybrid' : 'legacy', v1, unifiedMountPoint: unified?.mountPoint ?? null };
  throw new CgroupDetectionError(
    'no cgroup filesystem found in /proc/self/mountinfo: mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup) or boot with systemd',
  );
}
