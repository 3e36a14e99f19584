/**
 * Memory benchmark (issue 5): the agent plus its conmon processes with N running containers,
 * by PSS (/proc/PID/smaps_rollup), the way the goal counts dockerd + containerd + their shims.
 *
 * 1. The real agent (`node --import tsx apps/agent/src/main.ts`, as the systemd unit runs it) is
 *    started on a fresh state dir with BERTH_CONTROL_PLANE pointing at a closed port on 127.0.0.1:
 *    it opens its engine anyway and keeps retrying the connection. Measured with no containers.
 * 2. The agent is stopped (SIGTERM: containers keep running), and this process, with the same
 *    runtime the agent chose and the same state dir and cgroup parent, creates and starts N busybox
 *    `sleep` containers (conmon + the runtime, overlay rootfs), then closes its engine.
 * 3. The agent is started again: it adopts the N containers as after an upgrade or restart.
 *    Measured: the agent process (and any children of it), every conmon, and apart from them the
 *    containers' own processes (the workload, not overhead). Three samples, 5 s apart.
 *
 * Everything is made under a temp dir and a cgroup parent unique to the run, and removed in
 * `finally` and on SIGINT/SIGTERM: the agent, containers, conmons, mounts, cgroups, the temp dir.
 *
 *   node --import tsx bench/pss.ts [--containers 50] [--settle-seconds 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cgroupDirs, ContainerEngine, detectCgroupMode, detectRuntime, hostExec, lookPath, parseProcLimits, removeCgroup } from '@berth/runtime';
import type { CgroupLayout, DetectedRuntime } from '@berth/runtime';
import { BENCH_PATH, busyboxRootfs, log, machine, runCommand, sleep } from './common.ts';

const { values } = parseArgs({ options: { containers: { type: 'string', default: '50' }, 'settle-seconds': { type: 'string', default: '10' } } });
const N = Number(values.containers);
const SETTLE_MS = Number(values['settle-seconds']) * 1000;
if (!Number.isInteger(N) || N < 1) throw new Error('--containers must be a positive integer');
const PATH_ENV = BENCH_PATH;
const REPO = resolve(import.meta.dirname, '..');

const parent = `berth-bench-pss-${process.pid}`;
let work = '';
let stateDir = '';
let layout: CgroupLayout | null = null;
let detected: DetectedRuntime | null = null;
let conmonPath = '';
let agent: ChildProcess | null = null;
/** set on SIGINT/SIGTERM: main() stops at its next step, then cleanup runs */
let interrupted = false;
const checkInterrupted = () => {
  if (interrupted) throw new Error('interrupted');
};

interface Mem { rss: number; pss: number; uss: number }
const zero = (): Mem => ({ rss: 0, pss: 0, uss: 0 });
const add = (a: Mem, b: Mem): Mem => ({ rss: a.rss + b.rss, pss: a.pss + b.pss, uss: a.uss + b.uss });
const mib = (m: Mem) => ({ rssMiB: +(m.rss / 1024).toFixed(1), pssMiB: +(m.pss / 1024).toFixed(1), ussMiB: +(m.uss / 1024).toFixed(1) });

/** kB from smaps_rollup; uss = private clean + private dirty. Zero for a process gone meanwhile. */
async function memOf(pid: number): Promise<Mem> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rss: kb('Rss'), pss: kb('Pss'), uss: kb('Private_Clean') + kb('Private_Dirty') };
}

interface Proc { pid: number; ppid: number; comm: string; args: string }
async function processes(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const args = (await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();
    out.push({ pid: Number(d), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), args });
  }
  return out;
}
function descendants(all: Proc[], root: number): Proc[] {
  const out: Proc[] = [];
  const walk = (pid: number) => all.filter((p) => p.ppid === pid).forEach((p) => (out.push(p), walk(p.pid)));
  walk(root);
  return out;
}
const sum = async (pids: number[]) => (await Promise.all(pids.map(memOf))).reduce(add, zero());

/** This run's conmons: they name the container's directory under the state dir. */
const ourConmons = (all: Proc[]) => all.filter((p) => p.comm === 'conmon' && p.args.includes(work));

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startAgent(expectAdopted: number): Promise<ChildProcess> {
  const port = await closedPort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'apps/agent/src/main.ts')], {
    cwd: REPO,
    env: { PATH: PATH_ENV, HOME: '/root', BERTH_CONTROL_PLANE: `ws://127.0.0.1:${port}/agent`, BERTH_STATE_DIR: stateDir, BERTH_CGROUP_PARENT: parent, BERTH_HOST_NAME: 'bench-pss', BERTH_BRIDGE: 'none', BERTH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  agent = child;
  let stderr = '';
  const ready = new Promise<void>((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
      const m = /"msg":"container engine ready"[^\n]*"adopted":(\d+)/.exec(stderr);
      if (m) {
        if (Number(m[1]) !== expectAdopted) rej(new Error(`the agent adopted ${m[1]} containers, expected ${expectAdopted}`));
        else res();
      }
    });
    child.once('exit', (code) => rej(new Error(`the agent exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
  });
  await Promise.race([ready, sleep(60_000).then(() => Promise.reject(new Error(`the agent did not open its engine within 60 s: ${stderr}`)))]);
  return child;
}

async function stopAgent(): Promise<void> {
  const a = agent;
  agent = null;
  if (!a || a.exitCode !== null || a.signalCode !== null) return;
  const exited = new Promise((r) => a.once('exit', r));
  a.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
  await Promise.race([exited, sleep(2000)]);
}

/** Three samples, `gapMs` apart: the agent and its children, the conmons, the containers. */
async function measure(gapMs: number) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    checkInterrupted();
    if (i) await sleep(gapMs);
    const all = await processes();
    const agentPid = agent!.pid!;
    const agentChildren = descendants(all, agentPid).filter((p) => p.comm !== 'conmon');
    const conmons = ourConmons(all);
    const workload = conmons.flatMap((c) => descendants(all, c.pid));
    samples.push({
      agent: mib(await memOf(agentPid)),
      agentChildren: { count: agentChildren.length, comms: [...new Set(agentChildren.map((p) => p.comm))], ...mib(await sum(agentChildren.map((p) => p.pid))) },
      conmons: { count: conmons.length, ...mib(await sum(conmons.map((p) => p.pid))) },
      containerProcesses: { count: workload.length, comms: [...new Set(workload.map((p) => p.comm))], ...mib(await sum(workload.map((p) => p.pid))) },
    });
  }
  return samples;
}

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopAgent().catch(() => undefined);
    if (!work) return;
    if (detected && layout) {
      const engine = new ContainerEngine({ stateDir, runtime: detected.runtime, exec: hostExec(), conmonPath, cgroupLayout: layout, hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')), cgroupParent: parent });
      await engine.load().catch((err: Error) => log(`cleanup: load: ${err.message}`));
      for (const c of engine.list()) await engine.remove(c.id, { force: true }).catch((err: Error) => log(`cleanup: rm ${c.id}: ${err.message}`));
      await engine.close().catch(() => undefined);
    }
    for (const p of ourConmons(await processes())) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(work));
    for (const m of mounts.reverse()) await runCommand('umount', ['-l', m]).catch(() => undefined);
    if (layout) {
      // anything still in this run's cgroups (a container whose start was cut short) is ours
      const dirs = cgroupDirs(layout, `/${parent}`);
      for (let attempt = 0; attempt < 3; attempt++) {
        const { stdout } = await runCommand('find', [...dirs, '-name', 'cgroup.procs']).catch(() => ({ stdout: '' }));
        const pids = new Set<number>();
        for (const f of stdout.split('\n').filter(Boolean)) for (const l of (await readFile(f, 'utf8').catch(() => '')).split('\n').filter(Boolean)) pids.add(Number(l));
        if (!pids.size) break;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await sleep(300);
      }
      await removeCgroup(dirs).catch((err: Error) => log(`cleanup: cgroup ${parent}: ${err.message}`));
    }
    await rm(work, { recursive: true, force: true });
  })();
  return cleaning;
}

let mainSettled: Promise<unknown> = Promise.resolve();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping, then cleaning up`);
    interrupted = true;
    // main() stops at its next step; cleanup runs once it has (or after 20 s, whatever it is doing)
    void Promise.race([mainSettled.catch(() => undefined), sleep(20_000)])
      .then(() => cleanup())
      .finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/pss.ts needs root (the agent, mounts, cgroups)');
  const mach = await machine();
  conmonPath = (await lookPath('conmon', PATH_ENV)) ?? '';
  if (!conmonPath) throw new Error('conmon is needed: apt-get install conmon');
  work = await mkdtemp(join(tmpdir(), 'berth-bench-pss-'));
  stateDir = join(work, 'state');
  await mkdir(stateDir, { recursive: true, mode: 0o711 });
  layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));

  // 1. the agent with no containers
  await startAgent(0);
  log(`agent up with no containers; settling ${SETTLE_MS / 1000} s`);
  await sleep(SETTLE_MS);
  const idle = await measure(2000);
  log(`idle: ${JSON.stringify(idle.at(-1))}`);
  await stopAgent();
  checkInterrupted();

  // 2. N running containers, made with the runtime the agent chooses
  detected = await detectRuntime({ stateDir, exec: hostExec(), searchPath: PATH_ENV, cgroupParent: parent });
  const { rootfs } = await busyboxRootfs(work);
  const engine = new ContainerEngine({ stateDir, runtime: detected.runtime, exec: hostExec(), conmonPath, cgroupLayout: layout, hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')), cgroupParent: parent });
  await engine.load();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    checkInterrupted();
    const c = await engine.create({ name: `pss-${i}`, rootfs, config: { cmd: ['sleep', '86400'] } });
    await engine.start(c.id);
    if ((i + 1) % 10 === 0) log(`${i + 1}/${N} containers running`);
  }
  const startAllSeconds = (performance.now() - t0) / 1000;
  await engine.close();
  checkInterrupted();

  // 3. the agent adopts them
  await startAgent(N);
  log(`agent up with ${N} containers; settling ${SETTLE_MS / 1000} s`);
  await sleep(SETTLE_MS);
  const loaded = await measure(5000);
  const last = loaded.at(-1)!;
  if (last.conmons.count !== N) throw new Error(`${last.conmons.count} conmons, expected ${N}`);
  const overhead = last.agent.pssMiB + last.agentChildren.pssMiB + last.conmons.pssMiB;
  const result = {
    benchmark: 'pss',
    machine: mach,
    runtime: { name: detected.chosen.name, version: detected.chosen.version },
    conmon: (await runCommand(conmonPath, ['--version'])).stdout.split('\n')[0],
    containers: N,
    startAllSeconds: +startAllSeconds.toFixed(1),
    agentNoContainers: idle,
    withContainers: loaded,
    summary: {
      agentPssMiB: last.agent.pssMiB,
      agentChildrenPssMiB: last.agentChildren.pssMiB,
      conmonsPssMiB: last.conmons.pssMiB,
      overheadPssMiB: +overhead.toFixed(1),
      perContainerOverheadPssMiB: +(overhead / N).toFixed(2),
      conmonPssMiBEach: +(last.conmons.pssMiB / N).toFixed(2),
      agentGrowthWithContainersPssMiB: +(last.agent.pssMiB - idle.at(-1)!.agent.pssMiB).toFixed(1),
      workloadPssMiB: last.containerProcesses.pssMiB,
      goalMiB: +((285e6 / 2) / 2 ** 20).toFixed(1),
    },
  };
  console.log(JSON.stringify(result, null, 2));
}

try {
  mainSettled = main();
  await mainSettled;
} catch (err) {
  log(`bench/pss.ts failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
