import { join } from 'node:path';
import type { CgroupLayout } from './mode.ts';

/** The parent cgroup berth puts containers under, like Docker's "docker". */
export const DEFAULT_CGROUP_PARENT = 'berth';

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The OCI `linux.cgroupsPath` for a container: `/<parent>/<id>`. Absolute, because a
 * relative path is resolved against the runtime caller's own cgroup, which differs
 * between the agent, a shell and a test runner.
 */
export function containerCgroupsPath(containerId: string, parent: string = DEFAULT_CGROUP_PARENT): string {
  const segments = [...parent.split('/').filter(Boolean), containerId];
  for (const s of segments) {
    if (!SAFE_SEGMENT.test(s)) {
      throw new Error(`invalid cgroup path segment "${s}" (container ${containerId}, parent ${parent}): use letters, digits, "_", "." and "-"`);
    }
  }
  return `/${segments.join('/')}`;
}

/**
 * Every directory that holds the cgroup at `cgroupsPath`: one per v1 hierarchy (co-mounted
 * controllers such as cpu,cpuacct share one), plus the cgroup2 mount on hybrid hosts,
 * where runc creates it too; a single directory when unified.
 */
export function cgroupDirs(layout: CgroupLayout, cgroupsPath: string): string[] {
  const mountPoints = new Set(Object.values(layout.v1));
  if (layout.unifiedMountPoint) mountPoints.add(layout.unifiedMountPoint);
  return [...mountPoints].sort().map((mp) => join(mp, cgroupsPath));
}

/** The directories of a container's cgroup under `parent`, e.g. /sys/fs/cgroup/memory/berth/<id>. */
export function containerCgroupDirs(layout: CgroupLayout, containerId: string, parent: string = DEFAULT_CGROUP_PARENT): string[] {
  return cgroupDirs(layout, containerCgroupsPath(containerId, parent));
}
