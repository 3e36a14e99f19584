// For integration tests: engines on this machine's real runc, conmon, overlayfs and cgroups,
// in a fresh state dir per test, with everything they leave (conmons, mounts, cgroups) removed
// after each test, even a failed one. Root only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBusyboxImage } from '@berth/testing/images';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { detectCgroupMode } from '../cgroups/mode.ts';
import type { CgroupLayout } from '../cgroups/mode.ts';
import { cgroupDirs } from '../cgroups/paths.ts';
import { removeCgroup } from '../cgroups/remove.ts';
import type { NetworkManager } from '../network/manager.ts';
import { OciRuntime } from '../oci-runtime/runtime.ts';
import { hostExec } from '../sys/exec.ts';
import { lookPath } from '../sys/look-path.ts';
import { parseProcLimits } from '../sys/procfs.ts';
import type { ContainerConfig, RootfsSource } from './config.ts';
import { hostNodeOps } from '../snapshots/node-ops.ts';
import { Snapshotter } from '../snapshots/snapshotter.ts';
import type { IdMappings } from '../userns/idmap.ts';
import { createHash } from 'node:crypto';
import { ContainerEngine } from './engine.ts';

const run = promisify(execFile);

export interface EngineFixture {
  /** This test's work dir (state dir is <work>/state). */
  readonly work: string;
  readonly layout: CgroupLayout;
  /** The cgroup parent of this file's containers. */
  readonly parent: string;
  newEngine(opts?: { network?: NetworkManager; userns?: IdMappings }): Promise<ContainerEngine>;
  /** A closed engine the test replaced: its containers are left to the next one. */
  forget(engine: ContainerEngine): void;
  busybox(config?: RootfsSource['config']): RootfsSource;
  /** The busybox layer unpacked by a remap store's snapshotter: owners shifted by `m`. */
  busyboxRemapped(m: IdMappings, config?: RootfsSource['config']): Promise<RootfsSource>;
  runIt(engine: ContainerEngine, cmd: string[], config?: ContainerConfig, name?: string): ReturnType<ContainerEngine['run']>;
}

const defaultConfig: RootfsSource['config'] = { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] };

/** Registers the hooks; call at the top of a describe. */
export function useEngineFixture(): EngineFixture {
  let layerDir = '';
  let layerTar: Buffer = Buffer.alloc(0);
  let imageDir = '';
  let work = '';
  let layout: CgroupLayout | undefined;
  const parent = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const engines: ContainerEngine[] = [];

  beforeAll(async () => {
    // The busybox test image's layer, extracted as the one read-only lower dir.
    imageDir = await mkdtemp(join(tmpdir(), 'berth-int-image-'));
    const image = await buildBusyboxImage();
    const tarPath = join(imageDir, 'layer.tar');
    layerTar = (image.layers[0] as (typeof image.layers)[number]).tar;
    await writeFile(tarPath, layerTar);
    layerDir = join(imageDir, 'layer');
    await run('mkdir', [layerDir]);
    await run('tar', ['-xf', tarPath, '-C', layerDir]);
    layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));
  });

  afterAll(async () => {
    await rm(imageDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-int-engine-'));
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) {
      for (const c of e.list()) await e.remove(c.id, { force: true }).catch(() => undefined);
      await e.close();
    }
    // Whatever is left: conmon processes of this state dir, mounts under it, our cgroups.
    const { stdout } = await run('ps', ['-eo', 'pid,args']);
    for (const line of stdout.split('\n')) {
      if (line.includes('conmon') && line.includes(work)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    }
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(work));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    if (layout) await removeCgroup(cgroupDirs(layout, `/${parent}`)).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  const fixture: EngineFixture = {
    get work() {
      return work;
    },
    get layout() {
      if (!layout) throw new Error('the fixture is used before its beforeAll ran');
      return layout;
    },
    parent,
    async newEngine(opts = {}) {
      const runcPath = await lookPath('runc');
      const conmonPath = await lookPath('conmon');
      if (!runcPath || !conmonPath) throw new Error('runc and conmon are needed: apt-get install runc conmon');
      const stateDir = join(work, 'state');
      const engine = new ContainerEngine({
        stateDir,
        runtime: new OciRuntime({ name: 'runc', path: runcPath, stateDir, exec: hostExec() }),
        exec: hostExec(),
        conmonPath,
        cgroupLayout: fixture.layout,
        hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')),
        cgroupParent: parent,
        exitPollMs: 100,
        ...(opts.network ? { network: opts.network } : {}),
        ...(opts.userns ? { userns: opts.userns } : {}),
      });
      engines.push(engine);
      await engine.load();
      return engine;
    },
    forget(engine) {
      engines.splice(engines.indexOf(engine), 1);
    },
    busybox: (config = defaultConfig) => ({ lowerDirs: [layerDir], config, imageRef: 'busybox:test' }),
    async busyboxRemapped(m, config = defaultConfig) {
      const root = m.uidMappings[0]?.hostID ?? 0;
      const snap = new Snapshotter(join(imageDir, `${root}.${m.gidMappings[0]?.hostID ?? 0}`, 'layers'), hostNodeOps(hostExec()), { idMappings: m });
      const diffId = `sha256:${createHash('sha256').update(layerTar).digest('hex')}`;
      await snap.unpack({ chainId: diffId, parent: null, diffId, open: async function* () { yield layerTar; } });
      return { lowerDirs: snap.lowerdirs([diffId]), config, imageRef: 'busybox:test', idMappings: m };
    },
    runIt: (engine, cmd, config = {}, name) => engine.run({ rootfs: fixture.busybox(), config: { ...config, cmd }, ...(name ? { name } : {}) }),
  };
  return fixture;
}
