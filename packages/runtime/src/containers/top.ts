// `docker top`: the processes in a container's cgroup, read from /proc (no ps in the image needed).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupLayout } from '../cgroups/mode.ts';

export interface TopResult {
  titles: string[];
  processes: string[][];
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function procsFile(layout: CgroupLayout, cgroupsPath: string): string {
  if (layout.version === 2) return join(layout.unifiedMountPoint ?? '/sys/fs/cgroup', cgroupsPath, 'cgroup.procs');
  const mount = layout.v1.pids ?? layout.v1.memory ?? Object.values(layout.v1)[0];
  if (!mount) throw new Error('no cgroup v1 hierarchy is mounted');
  return join(mount, cgroupsPath, 'cgroup.procs');
}

/** TIME as ps prints it: [DD-]HH:MM:SS of CPU time. */
export function cpuTime(ticks: number): string {
  const s = Math.floor(ticks / CLOCK_TICKS);
  const pad = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(s / 86400);
  const hms = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days ? `${days}-${hms}` : hms;
}

/** The fields of /proc/<pid>/stat after the command (which may hold spaces and parentheses). */
export function parseStat(text: string): { ppid: number; ticks: number } {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is state (field 3); ppid is field 4, utime 14, stime 15
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

export async function topProcesses(layout: CgroupLayout, cgroupsPath: string, read = (p: string) => readFile(p, 'utf8')): Promise<TopResult> {
  const pids = (await read(procsFile(layout, cgroupsPath))).split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
  const processes: string[][] = [];
  for (const pid of pids) {
    try {
      const [stat, status, cmdline] = await Promise.all([read(`/proc/${pid}/stat`), read(`/proc/${pid}/status`), read(`/proc/${pid}/cmdline`)]);
      const { ppid, ticks } = parseStat(stat);
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? '?';
      const cmd = cmdline.split('\0').filter(Boolean).join(' ') || `[${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}]`;
      processes.push([uid, String(pid), String(ppid), cpuTime(ticks), cmd]);
    } catch {
      // the process ended while we looked
    }
  }
  return { titles: ['UID', 'PID', 'PPID', 'TIME', 'CMD'], processes };
}
