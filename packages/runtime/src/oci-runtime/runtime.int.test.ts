// A real container through the wrapper, on the runtime this host can run. Root only.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCgroupMode } from '../cgroups/mode.ts';
import type { CgroupLayout } from '../cgroups/mode.ts';
import { cgroupDirs, containerCgroupDirs, containerCgroupsPath } from '../cgroups/paths.ts';
import { removeCgroup } from '../cgroups/remove.ts';
import { hostExec } from '../sys/exec.ts';
import { lookPath } from '../sys/look-path.ts';
import { parseProcLimits } from '../sys/procfs.ts';
import { OciRuntimeError } from './errors.ts';
import { writeProbeBundle } from './probe-bundle.ts';
import { OciRuntime } from './runtime.ts';

async function waitForStatus(runtime: OciRuntime, id: string, status: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await runtime.state(id);
    if (s.status === status || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(process.getuid?.() !== 0)('OciRuntime with runc', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  let work: string;
  let layout: CgroupLayout;
  let runc: OciRuntime;
  const parent = `berth-itest-${randomBytes(4).toString('hex')}`;
  const id = `itest-${randomBytes(4).toString('hex')}`;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-runtime-int-'));
    layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));
    const path = await lookPath('runc');
    if (!path) throw new Error('runc not found on PATH: apt-get install runc');
    runc = new OciRuntime({ name: 'runc', path, stateDir: join(work, 'state'), exec: hostExec() });
  });
  afterEach(async () => {
    await runc.delete(id, { force: true }).catch(() => undefined);
    await removeCgroup(cgroupDirs(layout, `/${parent}`));
    await rm(work, { recursive: true, force: true });
  });

  const bundleFor = async (args: string[]) =>
    writeProbeBundle(work, {
      busyboxPath: '/bin/busybox',
      cgroupsPath: containerCgroupsPath(id, parent),
      hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')),
      args,
    });

  it('creates, starts, pauses, resumes, kills and deletes a busybox sleep', async () => {
    const bundle = await bundleFor(['/bin/busybox', 'sleep', '30']);
    const pidFile = join(work, 'container.pid');

    await runc.create(id, bundle, { pidFile });
    const created = await runc.state(id);
    expect(created).toMatchObject({ id, status: 'created', bundle });
    expect(created.pid).toBe(Number(await readFile(pidFile, 'utf8')));
    // The container's cgroup is exactly where containerCgroupDirs says.
    for (const dir of containerCgroupDirs(layout, id, parent)) expect(existsSync(dir), dir).toBe(true);

    await runc.start(id);
    const running = await runc.state(id);
    expect(running.status).toBe('running');
    expect((await readFile(`/proc/${running.pid}/cmdline`, 'utf8')).split('\0')).toEqual(['/bin/busybox', 'sleep', '30', '']);

    await runc.pause(id);
    expect((await runc.state(id)).status).toBe('paused');
    await runc.resume(id);
    expect((await runc.state(id)).status).toBe('running');

    await runc.kill(id, 'SIGKILL', { all: true });
    expect((await waitForStatus(runc, id, 'stopped')).status).toBe('stopped');
    await runc.delete(id);

    const gone = await runc.state(id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(OciRuntimeError);
    expect((gone as OciRuntimeError).details).toMatchObject({ runtime: 'runc', containerId: id, notFound: true });
    for (const dir of containerCgroupDirs(layout, id, parent)) expect(existsSync(dir), dir).toBe(false);
  });

  it("reports a failed create with runc's own message, the container and the bundle", async () => {
    const bundle = await bundleFor(['/bin/no-such-program']);
    const err = await runc.create(id, bundle, { pidFile: join(work, 'pid') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciRuntimeError);
    expect((err as Error).message).toMatch(new RegExp(`^runc create ${id} failed: .*no-such-program.*\\(root .*, bundle ${bundle}\\)$`));
  });

  it('reports its version', async () => {
    expect(await runc.version()).toMatchObject({ name: 'runc', version: expect.stringMatching(/^1\./) });
  });
});
