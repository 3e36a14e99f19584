/**
 * Run benchmark: create + start + wait of a busybox container running `true` with berth's
 * ContainerEngine (conmon + runc, overlay rootfs, the agent's own options) against `runc run` of a
 * prepared bundle (`runc spec`, args ["true"], read-only root = the same unpacked layer directory),
 * alternating which goes first. A third column is `runc run` of berth's own bundle (a created,
 * never started berth container: its config.json and mounted overlay rootfs), which separates the
 * cost of berth's spec from the cost of its lifecycle. berth's time is split into its phases, and
 * its `rm` is timed apart. Then 100 containers are created and engine.list() and a fresh engine's load() are timed.
 * Everything is made under a temp dir and cgroups under a unique parent, and removed at the end,
 * on failure and on SIGINT/SIGTERM.
 *
 * A fourth column is issue 5's own measure: `run --rm` through the agent's operations
 * (container.create with autoRemove, container.start, container.wait, as the control plane sends
 * them, without the websocket), from the request to the exit seen, and until the container is gone.
 *
 * --exit-poll-ms sets the engine's exit poll interval (default: the engine's, as the agent runs it).
 *
 *   node --import tsx bench/run.ts [--samples 50] [--list 100] [--exit-poll-ms N]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cgroupDirs, ContainerEngine, containerPaths, detectCgroupMode, detectRuntime, hostExec, lookPath, OciRuntime, parseProcLimits, removeCgroup } from '@berth/runtime';
import { buildBusyboxImage, writeDockerArchive } from '@berth/testing/images';
import { openHostEngine, type HostEngine } from '../apps/agent/src/engine/host-engine.ts';
import { dispatch } from '../apps/agent/src/handlers/index.ts';
import { createHostContext } from '../apps/agent/src/host-context.ts';
import type { CgroupLayout } from '@berth/runtime';
import { BENCH_PATH, busyboxRootfs, killConmonsUnder, log, machine, p50, runCommand, stats, time } from './common.ts';
import { openPodman, PODMAN_IMAGE, type Podman } from './podman.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '50' }, list: { type: 'string', default: '100' }, 'exit-poll-ms': { type: 'string' } } });
const SAMPLES = Number(values.samples);
const LIST = Number(values.list);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1 || !Number.isInteger(LIST) || LIST < 0) throw new Error('--samples must be a positive integer, --list a non-negative one');
const EXIT_POLL_MS = values['exit-poll-ms'] === undefined ? undefined : Number(values['exit-poll-ms']);
const PATH_ENV = BENCH_PATH;

const parent = `berth-bench-${process.pid}`;
const runcParent = `berth-bench-runc-${process.pid}`;
const agentParent = `berth-bench-agent-${process.pid}`;
let hostEngine: HostEngine | null = null;
let work = '';
let layout: CgroupLayout | null = null;
let runcPath = '';
const engines: ContainerEngine[] = [];
let podman: Podman | null = null;

let cleaning: Promise<void> | null = null;
/** Idempotent: containers, conmon processes, mounts, runc state, cgroups, the temp dir. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    if (!work) return;
    await podman?.cleanup();
    for (const e of [...engines.splice(0), ...(hostEngine ? [hostEngine.containers] : [])]) {
      for (const c of e.list()) await e.remove(c.id, { force: true }).catch((err: Error) => log(`cleanup: rm ${c.id}: ${err.message}`));
      await e.close().catch(() => undefined);
    }
    await hostEngine?.close().catch(() => undefined);
    await killConmonsUnder(work);
    const runcRoot = join(work, 'runc-root');
    const listed = await runCommand(runcPath || 'runc', ['--root', runcRoot, 'list', '-q']).catch(() => ({ stdout: '' }));
    for (const id of listed.stdout.split('\n').filter(Boolean)) await runCommand(runcPath || 'runc', ['--root', runcRoot, 'delete', '-f', id]).catch(() => undefined);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(work));
    for (const m of mounts.reverse()) await runCommand('umount', ['-l', m]).catch(() => undefined);
    if (layout) {
      for (const p of [parent, runcParent, agentParent]) await removeCgroup(cgroupDirs(layout, `/${p}`)).catch((err: Error) => log(`cleanup: cgroup ${p}: ${err.message}`));
    }
    await rm(work, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

function runcRun(bundle: string, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(runcPath, ['--root', join(work, 'runc-root'), 'run', '--bundle', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: PATH_ENV } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`runc run ${id} exited ${code}: ${stderr.trim()}`))));
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/run.ts needs root (mounts, cgroups, runc)');
  const mach = await machine();
  runcPath = (await lookPath('runc')) ?? '';
  const conmonPath = await lookPath('conmon');
  if (!runcPath || !conmonPath) throw new Error('runc and conmon are needed: apt-get install runc conmon');
  const versions = {
    runc: (await runCommand(runcPath, ['--version'])).stdout.split('\n')[0],
    conmon: (await runCommand(conmonPath, ['--version'])).stdout.split('\n')[0],
  };
  work = await mkdtemp(join(tmpdir(), 'berth-bench-run-'));
  layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));

  // The busybox test image's one layer, unpacked: berth's overlay lowerdir and runc's root.
  const { rootfs, layerDir, layerTar } = await busyboxRootfs(work);

  // runc's prepared bundle: its own default spec, minimal changes.
  const bundle = join(work, 'bundle');
  await mkdir(bundle);
  await runCommand(runcPath, ['spec', '--bundle', bundle]);
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { terminal: boolean; args: string[] }; root: { path: string; readonly: boolean }; linux: { cgroupsPath?: string } };
  spec.process.terminal = false;
  spec.process.args = ['true'];
  spec.root = { path: layerDir, readonly: true };
  spec.linux.cgroupsPath = `/${runcParent}/c`;
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));

  // The engine as the agent opens it (host-engine.ts), with a unique cgroup parent.
  const stateDir = join(work, 'state');
  const newEngine = async () => {
    const engine = new ContainerEngine({
      stateDir,
      runtime: new OciRuntime({ name: 'runc', path: runcPath, stateDir, exec: hostExec() }),
      exec: hostExec(),
      conmonPath,
      cgroupLayout: layout!,
      hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')),
      cgroupParent: parent,
      ...(EXIT_POLL_MS !== undefined ? { exitPollMs: EXIT_POLL_MS } : {}),
    });
    engines.push(engine);
    await engine.load();
    return engine;
  };
  const engine = await newEngine();

  const berth = { total: [] as number[], create: [] as number[], start: [] as number[], wait: [] as number[], remove: [] as number[], waitExitedEarly: [] as number[], waitOther: [] as number[] };
  const runc: number[] = [];
  // podman's `run --rm --network none` of the same layer: create, start, wait and remove in one
  podman = await openPodman(work, layerTar, layout);
  const podmanRun: number[] = [];
  const runPodman = async (record: boolean) => {
    if (!podman) return;
    const ms = await time(() => podman!.run(['run', '--rm', '--network', 'none', '--cgroup-parent', `/${parent}`, PODMAN_IMAGE, 'true']));
    if (record) podmanRun.push(ms);
  };
  // The agent's own operations, as the control plane sends them over its websocket (the
  // transport left out): container.create with autoRemove (`run --rm`), container.start,
  // container.wait; the image from the agent's image store, its engine opened as main.ts opens it.
  const agentState = join(work, 'agent-state');
  const detected = await detectRuntime({ stateDir: agentState, exec: hostExec(), cgroupParent: agentParent });
  const destroyed = new Map<string, () => void>();
  hostEngine = await openHostEngine({
    stateDir: agentState, detected, cgroupParent: agentParent, searchPath: PATH_ENV, bridge: null, ipForward: false, log: () => {},
    emit: (kind, data) => {
      if (kind === 'container' && data.action === 'destroy') destroyed.get(String(data.id))?.();
    },
  });
  const agentCtx = createHostContext({ stateDir: agentState, agentVersion: 'bench', detected, engine: hostEngine, emit: () => {} });
  const archive = join(work, 'busybox.tar');
  await writeDockerArchive(await buildBusyboxImage(), archive, ['busybox:bench']);
  await hostEngine.images.load(archive);
  const viaAgent = { exitSeen: [] as number[], removed: [] as number[] };
  const runAgent = async (record: boolean) => {
    const t0 = performance.now();
    const { id } = (await dispatch('container.create', { image: 'busybox:bench', cmd: ['true'], autoRemove: true }, agentCtx)) as { id: string };
    const gone = new Promise<void>((resolve) => destroyed.set(id, resolve));
    await dispatch('container.start', { id }, agentCtx);
    const { exitCode } = (await dispatch('container.wait', { id }, agentCtx)) as { exitCode: number };
    const t1 = performance.now();
    if (exitCode !== 0) throw new Error(`agent: true exited ${exitCode}`);
    await gone;
    destroyed.delete(id);
    if (record) {
      viaAgent.exitSeen.push(t1 - t0);
      viaAgent.removed.push(performance.now() - t0);
    }
  };
  const runBerth = async (record: boolean) => {
    const t0 = performance.now();
    const c = await engine.create({ rootfs, config: { cmd: ['true'] } });
    const t1 = performance.now();
    await engine.start(c.id);
    const t2 = performance.now();
    // conmon's exit file already there when start() returns: the exit raced start()
    const exitedBeforeStartReturned = await stat(join(stateDir, 'exits', c.id)).then(() => true, () => false);
    const exit = await engine.wait(c.id);
    const t3 = performance.now();
    if (exit.exitCode !== 0) throw new Error(`berth: true exited ${exit.exitCode} ${exit.error}`);
    const rmMs = await time(() => engine.remove(c.id));
    if (record) {
      berth.total.push(t3 - t0);
      berth.create.push(t1 - t0);
      berth.start.push(t2 - t1);
      berth.wait.push(t3 - t2);
      berth.remove.push(rmMs);
      (exitedBeforeStartReturned ? berth.waitExitedEarly : berth.waitOther).push(t3 - t2);
    }
  };
  const runRunc = async (i: number, record: boolean) => {
    const ms = await time(() => runcRun(bundle, `bench-${process.pid}-${i}`));
    if (record) runc.push(ms);
  };
  const held = await engine.create({ rootfs, config: { cmd: ['true'] } });
  const berthBundle = containerPaths(stateDir, held.id).dir;
  const runcBerthBundle: number[] = [];
  const runRuncBerthBundle = async (i: number, record: boolean) => {
    const ms = await time(() => runcRun(berthBundle, `bench-b-${process.pid}-${i}`));
    if (record) runcBerthBundle.push(ms);
  };
  // two warm-ups of each, not recorded
  for (let i = -2; i < SAMPLES; i++) {
    const record = i >= 0;
    const order = [() => runBerth(record), () => runRunc(i + 2, record), () => runAgent(record), () => runRuncBerthBundle(i + 2, record), () => runPodman(record)];
    for (const f of i % 2 === 0 ? order : order.reverse()) await f();
    if (record && (i + 1) % 10 === 0) log(`run ${i + 1}/${SAMPLES}: berth ${berth.total.at(-1)!.toFixed(1)} ms, through the agent's operations ${viaAgent.exitSeen.at(-1)!.toFixed(1)} ms, runc run ${runc.at(-1)!.toFixed(1)} ms, runc run of berth's bundle ${runcBerthBundle.at(-1)!.toFixed(1)} ms`);
  }
  await engine.remove(held.id);

  // `ps -a` with LIST created containers: the in-memory list, and an agent restart's load().
  let listing: Record<string, unknown> | null = null;
  if (LIST > 0) {
    const createMs: number[] = [];
    for (let i = 0; i < LIST; i++) createMs.push(await time(() => engine.create({ rootfs, config: { cmd: ['true'] } })));
    const listMs: number[] = [];
    for (let i = 0; i < 200; i++) listMs.push(await time(async () => engine.list()));
    const count = engine.list().length;
    await engine.close();
    engines.splice(engines.indexOf(engine), 1);
    const t0 = performance.now();
    const reopened = await newEngine();
    const loadMs = performance.now() - t0;
    if (reopened.list().length !== count) throw new Error(`load() found ${reopened.list().length} containers, expected ${count}`);
    const removeAll = await time(async () => {
      for (const c of reopened.list()) await reopened.remove(c.id);
    });
    listing = { containers: count, createEachMs: stats(createMs), listMs: stats(listMs), newEngineLoadMs: +loadMs.toFixed(1), removeAllMs: +removeAll.toFixed(1) };
    log(`list: ${JSON.stringify(listing)}`);
  }

    console.log(
    JSON.stringify(
      {
        benchmark: 'run',
        machine: mach,
        versions,
        samples: SAMPLES,
        exitPollMs: EXIT_POLL_MS ?? 'engine default (1000)',
        createStartWaitMs: {
          berth: stats(berth.total),
          runcRun: stats(runc),
          ratioP50: +(p50(berth.total) / p50(runc)).toFixed(2),
          runcRunOfBerthBundle: stats(runcBerthBundle),
        },
        // issue 5's measure: run --rm through the agent API, request to exit seen, and until removed
        throughAgentOperations: {
          runtime: detected.chosen.name,
          exitSeenMs: stats(viaAgent.exitSeen),
          overRuncRunP50: +(p50(viaAgent.exitSeen) / p50(runc)).toFixed(2),
          // the issue's own comparison: request to exit seen, against podman's whole `run --rm`
          exitSeenOverPodmanP50: podman ? +(p50(viaAgent.exitSeen) / p50(podmanRun)).toFixed(2) : null,
          removedMs: stats(viaAgent.removed),
          // stricter: until removed, as podman's command returns
          removedOverPodmanP50: podman ? +(p50(viaAgent.removed) / p50(podmanRun)).toFixed(2) : null,
        },
        berthPhasesMs: { create: stats(berth.create), start: stats(berth.start), wait: stats(berth.wait) },
        berthWaitSplitMs: { exitFileBeforeStartReturned: stats(berth.waitExitedEarly), otherwise: stats(berth.waitOther) },
        berthRemoveMs: stats(berth.remove),
        berthWithRemoveP50Ms: +(p50(berth.total) + p50(berth.remove)).toFixed(2),
        // podman's run --rm includes the removal: compare it with berth's run plus rm
        podmanRunRmNetworkNone: podman ? { version: podman.version, ms: stats(podmanRun), berthWithRemoveOverPodmanP50: +((p50(berth.total) + p50(berth.remove)) / p50(podmanRun)).toFixed(2) } : null,
        listing,
        loadavgAtEnd: (await machine()).loadavgAtStart,
      },
      null,
      2,
    ),
  );
}

try {
  await main();
} catch (err) {
  log(`bench/run.ts failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
