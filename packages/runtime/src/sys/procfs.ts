// Parsers for the small text files under /proc, /sys and /etc that host facts come from.
// Pure functions over text, so fixtures test them.

/** /proc/meminfo → bytes by key (MemTotal, MemAvailable, ...). Values there are in kB. */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m?.[1] && m[2]) out[m[1]] = Number(m[2]) * (line.includes('kB') ? 1024 : 1);
  }
  return out;
}

/** The aggregate "cpu" line of /proc/stat, in USER_HZ ticks. */
export interface CpuTimes {
  /** Ticks spent idle or waiting on I/O. */
  idle: number;
  /** All ticks (guest time is already counted inside user/nice). */
  total: number;
}

export function parseProcStatCpu(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat: no aggregate "cpu" line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Busy share of the time between two samples, 0–100 over all CPUs. */
export function cpuUsagePercent(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const busy = total - (after.idle - before.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/** /etc/os-release (KEY=value, values optionally quoted) → map. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    let value = m[2];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted?.[2] !== undefined) value = quoted[2].replace(/\\(["'$`\\])/g, '$1');
    out[m[1]] = value;
  }
  return out;
}

/** A kernel CPU list such as "0-3,8,10-11" (/sys/devices/system/cpu/online) → count. */
export function countCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [lo, hi] = part.split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo)) continue;
    n += hi === undefined ? 1 : hi - lo + 1;
  }
  return n;
}

/** One row of /proc/<pid>/limits; `null` stands for "unlimited". */
export interface ProcessLimit {
  soft: number | null;
  hard: number | null;
}

// proc(5) row titles → the OCI rlimit names.
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** /proc/self/limits → limits keyed by OCI rlimit type (RLIMIT_NOFILE, ...). */
export function parseProcLimits(text: string): Record<string, ProcessLimit> {
  const out: Record<string, ProcessLimit> = {};
  const value = (v: string) => (v === 'unlimited' ? null : Number(v));
  for (const line of text.split('\n')) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const name = m?.[1] ? LIMIT_NAMES[m[1]] : undefined;
    if (name && m?.[2] && m[3]) out[name] = { soft: value(m[2]), hard: value(m[3]) };
  }
  return out;
}
