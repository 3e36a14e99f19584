// Container stats from cgroup files, v1 (per-controller dirs) and v2 (one dir).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupLayout } from '../cgroups/mode.ts';

export interface ContainerStats {
  /** Bytes in use, page cache of inactive files left out (as `docker stats`). */
  memoryUsage: number;
  /** null when unlimited. */
  memoryLimit: number | null;
  /** Total CPU time used, nanoseconds. */
  cpuUsageNs: number;
  pids: number;
  pidsLimit: number | null;
}

export type ReadText = (path: string) => Promise<string>;

const UNLIMITED_V1 = 2 ** 62;

function statValue(text: string, key: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const num = (t: string) => Number(t.trim());
const limit = (t: string) => (t.trim() === 'max' || num(t) >= UNLIMITED_V1 ? null : num(t));

export async function readContainerStats(layout: CgroupLayout, cgroupsPath: string, read: ReadText = (p) => readFile(p, 'utf8')): Promise<ContainerStats> {
  if (layout.version === 2) {
    const dir = join(layout.unifiedMountPoint ?? '/sys/fs/cgroup', cgroupsPath);
    const [current, max, stat, cpu, pids, pidsMax] = await Promise.all(
      ['memory.current', 'memory.max', 'memory.stat', 'cpu.stat', 'pids.current', 'pids.max'].map((f) => read(join(dir, f))),
    );
    return {
      memoryUsage: Math.max(0, num(current ?? '0') - statValue(stat ?? '', 'inactive_file')),
      memoryLimit: limit(max ?? 'max'),
      cpuUsageNs: statValue(cpu ?? '', 'usage_usec') * 1000,
      pids: num(pids ?? '0'),
      pidsLimit: limit(pidsMax ?? 'max'),
    };
  }
  const at = (controller: string, file: string) => {
    const mount = layout.v1[controller];
    if (!mount) throw new Error(`cgroup v1 controller ${controller} is not mounted: cannot read ${file} of ${cgroupsPath}`);
    return read(join(mount, cgroupsPath, file));
  };
  const [usage, max, stat, cpu, pids, pidsMax] = await Promise.all([
    at('memory', 'memory.usage_in_bytes'),
    at('memory', 'memory.limit_in_bytes'),
    at('memory', 'memory.stat'),
    at('cpuacct', 'cpuacct.usage'),
    at('pids', 'pids.current'),
    at('pids', 'pids.max'),
  ]);
  return {
    memoryUsage: Math.max(0, num(usage) - statValue(stat, 'total_inactive_file')),
    memoryLimit: limit(max),
    cpuUsageNs: num(cpu),
    pids: num(pids),
    pidsLimit: limit(pidsMax),
  };
}

/** CPU % between two samples as `docker stats` shows it (100% = one CPU busy). */
export function cpuPercent(before: ContainerStats, after: ContainerStats, elapsedNs: number): number {
  if (elapsedNs <= 0) return 0;
  return Math.max(0, ((after.cpuUsageNs - before.cpuUsageNs) / elapsedNs) * 100);
}
