// The engine on this machine's real runc, conmon, overlayfs and cgroups. Root only.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@berth/testing/fleet';
import { describe, expect, it } from 'vitest';
import { cgroupDirs } from '../cgroups/paths.ts';
import { isMountPoint } from '../rootfs/overlay.ts';
import { useEngineFixture } from './engine-fixture.ts';
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('ContainerEngine on runc + conmon', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  const f = useEngineFixture();
  const { newEngine, busybox, runIt } = f;

  it('runs echo hello: logs show it, exit code 0, state exited, rootfs unmounted once the exit is released', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['echo', 'hello']);
    expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    expect(c.name).toMatch(/^[a-z]+_[a-z]+\d?$/);
    expect(await engine.wait(c.id)).toEqual({ exitCode: 0, error: '' });
    const after = engine.inspect(c.id);
    expect(after.state.status).toBe('exited');
    expect(Date.parse(after.state.finishedAt)).toBeGreaterThanOrEqual(Date.parse(after.state.startedAt) - 1000);
    const logs = await engine.logs(c.id);
    expect(logs.map((e) => [e.stream, e.text])).toEqual([['stdout', 'hello\n']]);
    // wait returns once the exit is recorded; the mount, runtime state and cgroup go right after
    const rootfs = join(f.work, 'state/containers', c.id, 'rootfs');
    await eventually(async () => !isMountPoint(await readFile('/proc/self/mountinfo', 'utf8'), rootfs), `${rootfs} unmounted`);
    for (const d of cgroupDirs(f.layout, `/${f.parent}/${c.id}`)) await eventually(() => readdir(d).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOENT'), `${d} removed`);
  });

  it('wait: called while start still holds the container, it returns that run\u2019s exit code; an aborted wait rejects and the next one still sees the exit', async () => {
    const engine = await newEngine();
    const quick = await engine.create({ rootfs: busybox(), config: { cmd: ['sh', '-c', 'exit 3'] } });
    const started = engine.start(quick.id);
    // not yet running: a wait must not answer from the `created` state
    expect(await engine.wait(quick.id)).toEqual({ exitCode: 3, error: '' });
    await started;

    const c = await runIt(engine, ['sleep', '1000']);
    const abort = new AbortController();
    const aborted = engine.wait(c.id, { signal: abort.signal });
    abort.abort();
    await expect(aborted).rejects.toThrow(`wait for container ${c.id} aborted`);
    const waited = engine.wait(c.id);
    await engine.kill(c.id);
    expect(await waited).toEqual({ exitCode: 137, error: '' });
  });

  it('stop of sleep: SIGTERM is ignored by a pid-1 sleep, SIGKILL after the timeout gives 137; a TERM-handling process gives 143', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000']);
    expect(engine.inspect(c.id).state).toMatchObject({ status: 'running' });
    expect(engine.inspect(c.id).state.pid).toBeGreaterThan(0);
    await engine.stop(c.id, { timeoutSec: 1 });
    expect(engine.inspect(c.id).state).toMatchObject({ status: 'exited', exitCode: 137 });

    const t = await runIt(engine, ['sh', '-c', 'trap "exit 143" TERM; while true; do sleep 0.1; done']);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await engine.stop(t.id, { timeoutSec: 10 });
    expect(engine.inspect(t.id).state).toMatchObject({ status: 'exited', exitCode: 143 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('kill -s KILL gives 137; pause freezes the cgroup, unpause thaws it', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000']);
    await engine.pause(c.id);
    expect(engine.inspect(c.id).state.status).toBe('paused');
    const freezer = join(f.layout.v1.freezer ?? '/sys/fs/cgroup/freezer', f.parent, c.id, 'freezer.state');
    expect((await readFile(freezer, 'utf8')).trim()).toBe('FROZEN');
    await expect(engine.pause(c.id)).rejects.toThrow(`Container ${c.id} is already paused`);
    await engine.unpause(c.id);
    expect((await readFile(freezer, 'utf8')).trim()).toBe('THAWED');
    expect(engine.inspect(c.id).state.status).toBe('running');
    await engine.kill(c.id, 'KILL');
    expect(engine.inspect(c.id).state).toMatchObject({ status: 'exited', exitCode: 137 });
    await expect(engine.pause(c.id)).rejects.toThrow(`Container ${c.id} is not running`);
  });

  it('rm of a running container is refused with Docker’s message; rm -f removes everything', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000'], {}, 'web-1');
    await expect(engine.remove(c.id)).rejects.toThrow(`You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    await expect(runIt(engine, ['true'], {}, 'web-1')).rejects.toThrow(/The container name "\/web-1" is already in use/);
    await engine.remove('web-1', { force: true });
    expect(engine.list()).toEqual([]);
    expect(await readdir(join(f.work, 'state/containers'))).toEqual([]);
    for (const d of cgroupDirs(f.layout, `/${f.parent}/${c.id}`)) await expect(readdir(d)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(isMountPoint(await readFile('/proc/self/mountinfo', 'utf8'), join(f.work, 'state/containers', c.id, 'rootfs'))).toBe(false);
  });

  it('memory 64 MiB and pids 50 show in the v1 cgroup; a read-only rootfs refuses writes', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000'], { resources: { memory: 64 * 1024 * 1024, pidsLimit: 50 }, readonlyRootfs: true, tmpfs: [{ destination: '/scratch' }] });
    const mem = join(f.layout.v1.memory ?? '', f.parent, c.id);
    expect((await readFile(join(mem, 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(64 * 1024 * 1024));
    expect((await readFile(join(mem, 'memory.memsw.limit_in_bytes'), 'utf8')).trim()).toBe(String(128 * 1024 * 1024));
    expect((await readFile(join(f.layout.v1.pids ?? '', f.parent, c.id, 'pids.max'), 'utf8')).trim()).toBe('50');
    const touch = await engine.execCollect(c.id, { cmd: ['touch', '/x'] });
    expect(touch.exitCode).not.toBe(0);
    expect(touch.stderr).toMatch(/Read-only file system/);
    expect((await engine.execCollect(c.id, { cmd: ['touch', '/scratch/x'] })).exitCode).toBe(0);
    const stats = await engine.stats(c.id);
    expect(stats.memoryLimit).toBe(64 * 1024 * 1024);
    expect(stats.pidsLimit).toBe(50);
    expect(stats.pids).toBeGreaterThanOrEqual(1);
  });

  it('exec: id -u is 0 with its output; a failing exec returns its exit code; --user resolves names', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000']);
    expect(await engine.execCollect(c.id, { cmd: ['id', '-u'] })).toEqual({ exitCode: 0, stdout: '0\n', stderr: '' });
    expect((await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo oops >&2; exit 7'] }))).toMatchObject({ exitCode: 7, stderr: 'oops\n' });
    expect((await engine.execCollect(c.id, { cmd: ['id', '-u'], user: 'nobody' })).stdout).toBe('65534\n');
    expect((await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo $FOO; pwd'], env: ['FOO=bar'], workingDir: '/tmp' })).stdout).toBe('bar\n/tmp\n');
  });

  it('adoption: a running container outlives its engine; a new engine loads it, sees an exit that happened meanwhile, and stops it', async () => {
    const first = await newEngine();
    const long = await runIt(first, ['sleep', '1000'], {}, 'long');
    const short = await runIt(first, ['sh', '-c', 'sleep 0.5; exit 3'], {}, 'short');
    await first.close();
    f.forget(first);
    await new Promise((r) => setTimeout(r, 1_000));

    const second = await newEngine();
    const report = second.list();
    expect(report.map((c) => c.name).sort()).toEqual(['long', 'short']);
    expect(second.inspect('long').state).toMatchObject({ status: 'running' });
    expect(second.inspect('short').state).toMatchObject({ status: 'exited', exitCode: 3 });
    await second.stop(long.id, { timeoutSec: 1 });
    expect(second.inspect(long.id).state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(short.id).not.toBe(long.id);
  });

  it('a command not found leaves the container created with exit code 127 and the runtime’s error', async () => {
    const engine = await newEngine();
    const c = await engine.create({ rootfs: busybox(), config: { cmd: ['/nope'] } });
    await expect(engine.start(c.id)).rejects.toThrow(/cannot start container .*nope/);
    expect(engine.inspect(c.id).state).toMatchObject({ status: 'created', exitCode: 127 });
  });

  it('restart policy on-failure:2 restarts twice with back-off, then stays exited', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sh', '-c', 'exit 5'], { restartPolicy: { name: 'on-failure', maximumRetryCount: 2 } });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(engine.inspect(c.id).state.status === 'exited' && engine.inspect(c.id).state.restartCount === 2)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(engine.inspect(c.id).state).toMatchObject({ status: 'exited', exitCode: 5, restartCount: 2 });
  });

  /** Reads an attach session's output until `until` matches (or it ends). */
  async function readUntil(output: AsyncIterator<{ stream: string; data: Buffer }>, got: { text: string; streams: Set<string> }, until: RegExp): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!until.test(got.text) && Date.now() < deadline) {
      const next = await output.next();
      if (next.done) return;
      got.text += next.value.data.toString();
      got.streams.add(next.value.stream);
    }
  }

  it('run -i: attached before start, not a byte is missed; stdin reaches the process and its end closes it; stdout and stderr apart', async () => {
    const engine = await newEngine();
    const c = await engine.create({ rootfs: busybox(), config: { cmd: ['sh', '-c', 'echo first; echo oops >&2; read line; echo "got $line"; cat; echo done'], openStdin: true, stdinOnce: true } });
    const session = await engine.attach(c.id, { start: true });
    const out = session.output[Symbol.asyncIterator]();
    const got = { text: '', streams: new Set<string>() };
    await readUntil(out, got, /oops/);
    expect(got.text).toMatch(/^first\n/);
    expect([...got.streams].sort()).toEqual(['stderr', 'stdout']);
    await session.write(Buffer.from('hello\nrest\n'));
    session.closeStdin();
    await readUntil(out, got, /done\n/);
    expect(got.text).toContain('got hello\nrest\ndone\n');
    expect(await engine.wait(c.id)).toEqual({ exitCode: 0, error: '' });
  });

  it('run -dit: a container on a terminal conmon holds; attach later, type into its shell, resize it, detach and it keeps running', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sh'], { tty: true, openStdin: true });
    expect(engine.inspect(c.id).state.status).toBe('running');
    const session = await engine.attach(c.id);
    const out = session.output[Symbol.asyncIterator]();
    const got = { text: '', streams: new Set<string>() };
    await session.resize({ cols: 91, rows: 33 });
    await session.write(Buffer.from('stty size; echo tty=$(tty)\n'));
    await readUntil(out, got, /tty=\/dev\/pts/);
    expect(got.text).toContain('33 91');
    expect([...got.streams]).toEqual(['stdout']);
    session.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.inspect(c.id).state.status).toBe('running');
    await expect(engine.attach(c.id).then((s) => s.close())).resolves.toBeUndefined();
    await engine.stop(c.id, { timeoutSec: 1 });
    await expect(engine.attach(c.id)).rejects.toThrow('You cannot attach to a stopped container, start it first');
  });
});
