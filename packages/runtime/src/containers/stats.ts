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
  /** Bytes read from and written to block devices (docker stats' BLOCK I/O). */
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** NET I/O: bytes received and sent on every interface of the container but lo. */
export interface NetworkIo {
  rxBytes: number;
  txBytes: number;
}

/** /proc/<pid>/net/dev of the container's init: its own network namespace's counters. */
export function parseNetDev(text: string): NetworkIo {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest || name?.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rxBytes += f[0] ?? 0;
    txBytes += f[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

/** v1 blkio.throttle.io_service_bytes ("8:0 Read 4096" lines) or v2 io.stat ("8:0 rbytes=… wbytes=…"). */
export function parseBlockIo(text: string, version: 1 | 2): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    if (version === 2) {
      read += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
      write += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
    } else {
      const [, op, value] = line.trim().split(/\s+/);
      if (op === 'Read') read += Number(value);
      else if (op === 'Write') write += Number(value);
    }
  }
  return { read, write };
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
    const [current, max, stat, cpu, pids, pidsMax, io] = await Promise.all(
      ['memory.current', 'memory.max', 'memory.stat', 'cpu.stat', 'pids.current', 'pids.max', 'io.stat'].map((f) => read(join(dir, f)).catch(() => '')),
    );
    const block = parseBlockIo(io ?? '', 2);
    return {
      blockReadBytes: block.read,
      blockWriteBytes: block.write,
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
  const [usage, max, stat, cpu, pids, pidsMax, io] = await Promise.all([
    at('memory', 'memory.usage_in_bytes'),
    at('memory', 'memory.limit_in_bytes'),
    at('memory', 'memory.stat'),
    at('cpuacct', 'cpuacct.usage'),
    at('pids', 'pids.current'),
    at('pids', 'pids.max'),
    layout.v1.blkio ? at('blkio', 'blkio.throttle.io_service_bytes').catch(() => '') : Promise.resolve(''),
  ]);
  const block = parseBlockIo(io, 1);
  return {
    blockReadBytes: block.read,
    blockWriteBytes: block.write,
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
