import { statfsNearest } from './host-fs.ts';
import type { HostFs } from './host-fs.ts';
import { cpuUsagePercent, parseMeminfo, parseProcStatCpu } from './procfs.ts';

/** Live load of a host, as the dashboard plots it. */
export interface HostMetrics {
  /** Busy share of all CPUs over the sampling interval, 0–100. */
  cpuPercent: number;
  memory: { usedBytes: number; totalBytes: number };
  /** The filesystem holding the state dir (images, snapshots, volumes). */
  disk: { usedBytes: number; totalBytes: number };
}

export interface HostMetricsOptions {
  fs: HostFs;
  stateDir: string;
  /** Time between the two /proc/stat samples CPU usage is computed from. */
  intervalMs?: number;
}

export async function sampleHostMetrics(opts: HostMetricsOptions): Promise<HostMetrics> {
  const { fs } = opts;
  const before = parseProcStatCpu(await fs.readFile('/proc/stat'));
  await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  const after = parseProcStatCpu(await fs.readFile('/proc/stat'));
  const [memory, disk] = await Promise.all([readMemoryUsage(fs), readDiskUsage(fs, opts.stateDir)]);
  return { cpuPercent: cpuUsagePercent(before, after), memory, disk };
}

/** Used = MemTotal − MemAvailable: page cache the kernel can reclaim does not count as used. */
export async function readMemoryUsage(fs: HostFs): Promise<HostMetrics['memory']> {
  const info = parseMeminfo(await fs.readFile('/proc/meminfo'));
  const totalBytes = info.MemTotal ?? 0;
  const available = info.MemAvailable ?? (info.MemFree ?? 0) + (info.Cached ?? 0) + (info.Buffers ?? 0);
  return { usedBytes: Math.max(0, totalBytes - available), totalBytes };
}

/** Like df: used = (blocks − free) × block size. */
export async function readDiskUsage(fs: HostFs, dir: string): Promise<HostMetrics['disk']> {
  const s = await statfsNearest(fs, dir);
  return { usedBytes: (s.blocks - s.bfree) * s.bsize, totalBytes: s.blocks * s.bsize };
}
