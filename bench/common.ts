import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiToken, createJoinToken, createUser, systemActor } from '@berth/core';
import { createDb, ensureDatabase, migrate } from '@berth/db';
import type { RootfsSource } from '@berth/runtime';
import { buildBusyboxImage } from '@berth/testing/images';
// Helpers shared by the bench scripts: percentiles, timing child processes, the machine.
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

/** The p50 in ms, two decimals. */
export const p50 = (xs: number[]): number => +pct(xs, 50).toFixed(2);

/** p50/p90/min/max in ms, two decimals, and the sample count. */
export function stats(xs: number[]): { n: number; p50: number; p90: number; min: number; max: number } | { n: 0 } {
  if (xs.length === 0) return { n: 0 };
  const r = (x: number) => +x.toFixed(2);
  return { n: xs.length, p50: r(pct(xs, 50)), p90: r(pct(xs, 90)), min: r(Math.min(...xs)), max: r(Math.max(...xs)) };
}

export function log(...parts: unknown[]): void {
  process.stderr.write(`${parts.map(String).join(' ')}\n`);
}

/** Runs a command to completion; rejects with its stderr on a non-zero exit. */
export function runCommand(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

/** Wall time of `f` in ms. */
export async function time(f: () => Promise<unknown>): Promise<number> {
  const s = performance.now();
  await f();
  return performance.now() - s;
}

export async function machine(): Promise<Record<string, unknown>> {
  const cgroup2 = await readFile('/proc/self/mountinfo', 'utf8').then((t) => ({
    v1: / - cgroup cgroup /.test(t),
    v2: / - cgroup2 cgroup2 /.test(t),
  }));
  return {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    kernel: release(),
    cgroup: cgroup2.v1 && cgroup2.v2 ? 'hybrid (v1 controllers + v2)' : cgroup2.v2 ? 'v2' : 'v1',
    loadavgAtStart: loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
  };
}

/** SIGKILLs the conmons a benchmark left under its work dir (they outlive the engine by design). */
export async function killConmonsUnder(work: string): Promise<void> {
  const { stdout } = await runCommand('ps', ['-eo', 'pid,args']).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    if (!line.includes('conmon') || !line.includes(work)) continue;
    try {
      process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

export const BENCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The busybox test image's one layer, unpacked under `work` as an overlay lower dir (and kept as
 * layer.tar, which podman imports): the rootfs every run benchmark starts its containers from.
 */
export async function busyboxRootfs(work: string): Promise<{ rootfs: RootfsSource; layerDir: string; layerTar: string }> {
  const image = await buildBusyboxImage();
  const layerDir = join(work, 'layer');
  const layerTar = join(work, 'layer.tar');
  await mkdir(layerDir);
  await writeFile(layerTar, image.layers[0]!.tar);
  await runCommand('tar', ['-xf', layerTar, '-C', layerDir]);
  return { rootfs: { lowerDirs: [layerDir], config: { Cmd: ['sh'], Env: [`PATH=${BENCH_PATH}`] }, imageRef: 'busybox:bench' }, layerDir, layerTar };
}

/** CPU seconds (user + system) of a process and all its descendants, from /proc/PID/stat. */
export async function treeCpuSeconds(root: number): Promise<number> {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  let ticks = 0;
  const seen = new Set<number>();
  const visit = (pid: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    ticks += procs.get(pid)?.ticks ?? 0;
    for (const [p, v] of procs) if (v.ppid === pid) visit(p);
  };
  visit(root);
  return ticks / 100; // USER_HZ
}

/**
 * A fresh control plane database for a fleet benchmark: migrated, with an admin, its API
 * token and a join token good for `hosts` enrollments.
 */
export async function seedControlPlane(pg: { url(db?: string): string }, hosts: number) {
  await ensureDatabase(pg.url(), 'berth');
  const url = pg.url('berth');
  await migrate(url);
  const db = createDb(url);
  const u = await createUser(systemActor(), { username: 'bench', password: 'bench-password-1', role: 'admin' }, db);
  const actor = { kind: 'user' as const, id: u.id, name: 'bench', role: 'admin' as const, source: 'cli' as const, remoteAddr: null };
  const { token } = await createApiToken(actor, { name: 'bench' }, db);
  const join = await createJoinToken(actor, { maxUses: hosts, ttlSeconds: 3600 }, db);
  return { url, db, actor, token, join };
}
