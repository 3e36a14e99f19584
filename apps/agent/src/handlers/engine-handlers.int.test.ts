import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamMux, type MuxStream } from '@berth/protocol';
import { detectCgroupMode, detectRuntime, hostExec, removeCgroup, cgroupDirs } from '@berth/runtime';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';
import { openHostEngine, type HostEngine } from '../engine/host-engine.ts';
import { createHostContext } from '../host-context.ts';
import { dispatch, type AgentContext } from './index.ts';

const run = promisify(execFile);

/** Both ends of a stream mux joined in memory: the control plane's end and the agent's. */
function muxPair(): { open(): { cp: MuxStream; agent: MuxStream } } {
  const ends: { cp?: StreamMux; agent?: StreamMux } = {};
  const cp = new StreamMux({ sendBinary: (b) => queueMicrotask(() => ends.agent!.onFrame(b)), bufferedAmount: () => 0 });
  const agent = new StreamMux({ sendBinary: (b) => queueMicrotask(() => cp.onFrame(b)), bufferedAmount: () => 0 });
  ends.agent = agent;
  return {
    open() {
      const s = cp.open();
      return { cp: s, agent: agent.accept(s.id) };
    },
  };
}

async function collect(s: MuxStream): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  for await (const c of s) out[c.channel] = (out[c.channel] ?? '') + c.data.toString();
  return out;
}

describe.skipIf(process.getuid?.() !== 0)('agent image and container operations on a real engine', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  let registry: RunningRegistry;
  let state: string;
  let engine: HostEngine;
  let ctx: AgentContext;
  const events: { kind: string; data: Record<string, unknown> }[] = [];
  const parent = `berth-agent-test-${process.pid}`;
  const mux = muxPair();
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(await buildBusyboxImage(), registry.url, 'team/busybox', 'latest');
    ref = `${new URL(registry.url).host}/team/busybox:latest`;
    state = await mkdtemp(join(tmpdir(), 'berth-agent-engine-'));
    const detected = await detectRuntime({ stateDir: state, exec: hostExec(), cgroupParent: parent });
    const emit = (kind: string, data: Record<string, unknown>) => events.push({ kind, data });
    // No default bridge: this test runs in the machine's own network namespace.
    engine = await openHostEngine({ stateDir: state, detected, cgroupParent: parent, searchPath: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', bridge: null, ipForward: false, emit, log: () => {} });
    ctx = createHostContext({ stateDir: state, agentVersion: 'test', detected, engine, emit });
  });

  afterAll(async () => {
    if (engine) {
      for (const c of engine.containers.list()) await engine.containers.remove(c.id, { force: true }).catch(() => undefined);
      await engine.close();
    }
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => state && m.startsWith(state));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    await removeCgroup(cgroupDirs(detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8')), `/${parent}`)).catch(() => undefined);
    if (state) await rm(state, { recursive: true, force: true });
    await registry?.stop();
  });

  it('pulls with per-layer progress on the stream, lists, and counts the image in docker info', async () => {
    const { cp, agent } = mux.open();
    const progress = collect(cp);
    const result = (await dispatch('image.pull', { ref }, ctx, { stream: agent })) as { id: string; ref: string };
    agent.end();
    const lines = (await progress)[3]!.trim().split('\n').map((l) => JSON.parse(l) as { status: string; total: number; done: number });
    expect(lines.at(-1)).toMatchObject({ status: 'complete' });
    expect(lines.some((l) => l.status === 'downloading')).toBe(true);
    expect(result.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const list = (await dispatch('image.list', {}, ctx)) as { repoTags: string[] }[];
    expect(list.flatMap((i) => i.repoTags)).toContain(ref);
    expect((await ctx.facts()).images).toBe(1);
    expect((await ctx.inventory()).images.map((i) => i.repoTags)).toEqual([[ref]]);
    expect(events).toContainEqual({ kind: 'image', data: { action: 'pull', ref: result.ref, id: result.id } });
  });

  it('runs a container: logs on stdout and stderr channels, exec, stop with 137, ps status, rm', async () => {
    const created = (await dispatch('container.create', { image: ref, name: 'web', cmd: ['sh', '-c', 'echo out; echo err >&2; exec sleep 1000'] }, ctx)) as { id: string; name: string };
    expect(created.name).toBe('web');
    await dispatch('container.start', { id: 'web' }, ctx);
    expect((await ctx.facts()).containers).toEqual({ total: 1, running: 1, paused: 0, stopped: 0 });
    expect((await ctx.inventory()).containers).toEqual([expect.objectContaining({ name: 'web', state: 'running' })]);
    const ps = (await dispatch('container.list', {}, ctx)) as { name: string; status: string; command: string; image: string }[];
    expect(ps).toEqual([expect.objectContaining({ name: 'web', image: ref, command: 'sh -c echo out; echo err >&2; exec sleep 1000', status: expect.stringMatching(/^Up /) })]);

    // the log lines may take a moment to reach conmon's file
    let logs: Record<number, string> = {};
    for (let i = 0; i < 50 && !(logs[1] && logs[2]); i++) {
      const { cp, agent } = mux.open();
      const reading = collect(cp);
      await dispatch('container.logs', { id: 'web' }, ctx, { stream: agent });
      agent.end();
      logs = await reading;
      if (!(logs[1] && logs[2])) await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs).toEqual({ 1: 'out\n', 2: 'err\n' });

    const { cp, agent } = mux.open();
    const output = collect(cp);
    const exec = await dispatch('container.exec', { id: 'web', cmd: ['sh', '-c', 'cat /etc/hostname; exit 7'] }, ctx, { stream: agent });
    agent.end();
    expect(exec).toEqual({ exitCode: 7 });
    expect(await dispatch('container.exec', { id: 'web', cmd: ['no-such-command'] }, ctx)).toEqual({ exitCode: 127 });
    expect((await output)[1]).toBe(`${created.id.slice(0, 12)}\n`);

    const top = (await dispatch('container.top', { id: 'web' }, ctx)) as { titles: string[]; processes: string[][] };
    expect(top.titles).toEqual(['UID', 'PID', 'PPID', 'TIME', 'CMD']);
    expect(top.processes).toEqual([['0', expect.stringMatching(/^\d+$/), expect.any(String), expect.any(String), 'sleep 1000']]);
    const stats = (await dispatch('container.stats', { id: 'web' }, ctx)) as { pids: number; memoryUsageBytes: number };
    expect(stats.pids).toBe(1);
    expect(stats.memoryUsageBytes).toBeGreaterThan(0);
    await dispatch('container.exec', { id: 'web', cmd: ['sh', '-c', 'mkdir /made && echo x > /made/file && rm /bin/cat'] }, ctx);
    expect(await dispatch('container.diff', { id: 'web' }, ctx)).toEqual(
      expect.arrayContaining([{ kind: 'A', path: '/made' }, { kind: 'A', path: '/made/file' }, { kind: 'C', path: '/bin' }, { kind: 'D', path: '/bin/cat' }]),
    );

    await expect(dispatch('container.remove', { id: 'web' }, ctx)).rejects.toMatchObject({ code: 'conflict' });
    await expect(dispatch('image.remove', { ref }, ctx)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('web') });
    await dispatch('container.stop', { id: 'web', timeout: 1 }, ctx);
    const stopped = (await dispatch('container.list', { all: true }, ctx)) as { state: string; exitCode: number | null; status: string }[];
    expect(stopped[0]).toMatchObject({ state: 'exited', exitCode: 137, status: expect.stringMatching(/^Exited \(137\) /) });
    const inspect = (await dispatch('container.inspect', { id: 'web' }, ctx)) as { State: { Status: string; ExitCode: number }; Name: string };
    expect(inspect).toMatchObject({ Name: '/web', State: { Status: 'exited', ExitCode: 137 } });
    await dispatch('container.remove', { id: 'web' }, ctx);
    expect(events.filter((e) => e.kind === 'container' && e.data.name === 'web').map((e) => e.data.action)).toEqual(['create', 'start', 'die', 'stop', 'destroy']);
  });

  it('exec -i feeds stdin; exec -it runs on a terminal of the asked size and follows a resize', async () => {
    await dispatch('container.create', { image: ref, name: 'shell', cmd: ['sleep', '1000'] }, ctx);
    await dispatch('container.start', { id: 'shell' }, ctx);
    try {
      const i = mux.open();
      const out = collect(i.cp);
      const running = dispatch('container.exec', { id: 'shell', cmd: ['sh', '-c', 'tr a-z A-Z'], interactive: true }, ctx, { stream: i.agent });
      await i.cp.write(0, Buffer.from('hello stdin\n'));
      i.cp.end();
      expect(await running).toEqual({ exitCode: 0 });
      i.agent.end();
      expect((await out)[1]).toBe('HELLO STDIN\n');

      // a command run at once sees the size asked for, not 0x0 before the first resize
      const quick = mux.open();
      const quickOut = collect(quick.cp);
      expect(await dispatch('container.exec', { id: 'shell', cmd: ['stty', 'size'], tty: { cols: 50, rows: 10 } }, ctx, { stream: quick.agent })).toEqual({ exitCode: 0 });
      quick.agent.end();
      quick.cp.end();
      expect((await quickOut)[1]).toContain('10 50');

      const t = mux.open();
      let screen = '';
      const reading = (async () => {
        for await (const c of t.cp) screen += c.data.toString();
      })();
      const tty = dispatch('container.exec', { id: 'shell', cmd: ['sh'], interactive: true, tty: { cols: 91, rows: 27 } }, ctx, { stream: t.agent });
      // type at the prompt, as a user does: the runtime sizes the terminal as the shell starts
      for (let n = 0; n < 150 && !screen.includes('/ # '); n++) await new Promise((r) => setTimeout(r, 100));
      await t.cp.write(0, Buffer.from('stty size; tty\n'));
      for (let n = 0; n < 150 && !screen.includes('27 91'); n++) await new Promise((r) => setTimeout(r, 100));
      await t.cp.write(3, Buffer.from(`${JSON.stringify({ resize: { cols: 120, rows: 40 } })}\n`));
      // the runtime passes the new size on when it gets SIGWINCH: ask until it has
      for (let n = 0; n < 30 && !screen.includes('40 120'); n++) {
        await t.cp.write(0, Buffer.from('stty size\n'));
        await new Promise((r) => setTimeout(r, 300));
      }
      await t.cp.write(0, Buffer.from('exit 5\n'));
      expect(await tty).toEqual({ exitCode: 5 });
      t.agent.end();
      t.cp.end();
      await reading;
      expect(screen, screen).toContain('27 91');
      expect(screen).toMatch(/\/dev\/pts\/\d+/);
      expect(screen).toContain('40 120');

      // the user closes the terminal while the shell runs: the exec is killed, nothing else fails
      const gone = mux.open();
      let seen = '';
      void (async () => {
        for await (const c of gone.cp) seen += c.data.toString();
      })().catch(() => undefined);
      const closing = dispatch('container.exec', { id: 'shell', cmd: ['sh', '-c', 'while true; do echo busy; done'], interactive: true, tty: { cols: 80, rows: 24 } }, ctx, { stream: gone.agent });
      for (let n = 0; n < 150 && !seen.includes('busy'); n++) await new Promise((r) => setTimeout(r, 100));
      gone.cp.reset('the terminal was closed');
      expect(((await closing) as { exitCode: number }).exitCode).toBeGreaterThan(128);
    } finally {
      await dispatch('container.remove', { id: 'shell', force: true }, ctx);
    }
  });

  it('--rm containers go away once they exit; unknown names get docker’s message', async () => {
    const c = (await dispatch('container.create', { image: ref, cmd: ['true'], autoRemove: true }, ctx)) as { id: string };
    await dispatch('container.start', { id: c.id }, ctx);
    for (let i = 0; i < 100 && engine.containers.list().some((r) => r.id === c.id); i++) await new Promise((r) => setTimeout(r, 100));
    expect(engine.containers.list().map((r) => r.id)).not.toContain(c.id);
    await expect(dispatch('container.stop', { id: 'nope' }, ctx)).rejects.toMatchObject({ code: 'not_found', message: 'No such container: nope' });
    await expect(dispatch('container.create', { image: 'not/pulled:here' }, ctx)).rejects.toMatchObject({ code: 'not_found' });
    await expect(dispatch('container.create', { image: ref, binds: ['data:relative'] }, ctx)).rejects.toMatchObject({ code: 'invalid' });
    expect(engine.containers.list()).toEqual([]);
  });

  it('a named volume outlives its container; rm of a volume in use is refused; -v takes anonymous volumes', async () => {
    const runTo = async (cmd: string, binds: string[]) => {
      const c = (await dispatch('container.create', { image: ref, cmd: ['sh', '-c', cmd], binds }, ctx)) as { id: string; name: string };
      await dispatch('container.start', { id: c.id }, ctx);
      expect(await dispatch('container.wait', { id: c.id }, ctx)).toEqual({ exitCode: 0 });
      return c;
    };
    const writer = await runTo('echo kept > /data/file', ['data:/data', '/scratch']);
    const vols = (await dispatch('volume.list', {}, ctx)) as { name: string; anonymous: boolean; usedBy: string[] }[];
    expect(vols).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'data', anonymous: false, usedBy: [writer.name] }), expect.objectContaining({ anonymous: true, usedBy: [writer.name] })]));
    await expect(dispatch('volume.remove', { name: 'data' }, ctx)).rejects.toMatchObject({ code: 'conflict', message: `remove data: volume is in use - [${writer.name}]` });
    await dispatch('container.remove', { id: writer.id, volumes: true }, ctx);
    expect(((await dispatch('volume.list', {}, ctx)) as { name: string }[]).map((v) => v.name)).toEqual(['data']);

    const reader = await runTo('cat /data/file', ['data:/data:ro']);
    const { cp, agent } = mux.open();
    const out = collect(cp);
    await dispatch('container.logs', { id: reader.id }, ctx, { stream: agent });
    agent.end();
    expect((await out)[1]).toBe('kept\n');
    await dispatch('container.remove', { id: reader.id }, ctx);
    await dispatch('volume.remove', { name: 'data' }, ctx);
    expect(await dispatch('volume.list', {}, ctx)).toEqual([]);
  });

  it('commit, history, push, save, rmi and load round-trip an image; system df counts it', async () => {
    const c = (await dispatch('container.create', { image: ref, cmd: ['sh', '-c', 'echo baked > /baked; sleep 1000'] }, ctx)) as { id: string };
    await dispatch('container.start', { id: c.id }, ctx);
    for (let i = 0; i < 50 && !(await dispatch('container.diff', { id: c.id }, ctx) as { path: string }[]).some((d) => d.path === '/baked'); i++) await new Promise((r) => setTimeout(r, 100));
    const committed = (await dispatch('container.commit', { id: c.id, ref: 'team/baked:1', author: 'ops', message: 'with a file' }, ctx)) as { id: string; ref: string };
    expect(committed.ref).toBe('docker.io/team/baked:1');
    expect(((await dispatch('container.inspect', { id: c.id }, ctx)) as { State: { Status: string } }).State.Status).toBe('running');
    const history = (await dispatch('image.history', { ref: 'team/baked:1' }, ctx)) as { comment: string; createdBy: string }[];
    expect(history[0]).toMatchObject({ comment: 'with a file', createdBy: expect.stringContaining('echo baked') });
    const df = (await dispatch('system.df', {}, ctx)) as { images: { total: number; active: number }; containers: { total: number; active: number } };
    expect(df.images).toMatchObject({ total: 2, active: 1 });
    expect(df.containers).toMatchObject({ total: 1, active: 1 });
    await dispatch('container.remove', { id: c.id, force: true }, ctx);

    const pushed = `${new URL(registry.url).host}/team/baked:1`;
    await dispatch('image.tag', { source: 'team/baked:1', target: pushed }, ctx);
    const push = mux.open();
    const pushProgress = collect(push.cp);
    const r = (await dispatch('image.push', { ref: pushed }, ctx, { stream: push.agent })) as { digest: string; id: string };
    push.agent.end();
    expect(r.id).toBe(committed.id);
    expect((await pushProgress)[3]).toContain('"pushed"');

    const save = mux.open();
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const ch of save.cp) chunks.push(ch.data);
    })();
    await dispatch('image.save', { refs: ['team/baked:1'] }, ctx, { stream: save.agent });
    save.agent.end();
    save.cp.end();
    await reading;
    const archive = Buffer.concat(chunks);
    expect(archive.length).toBeGreaterThan(10_000);
    await dispatch('image.remove', { ref: 'team/baked:1' }, ctx);
    await dispatch('image.remove', { ref: pushed }, ctx);

    const load = mux.open();
    const loading = dispatch('image.load', {}, ctx, { stream: load.agent });
    for (let off = 0; off < archive.length; off += 64 * 1024) await load.cp.write(0, archive.subarray(off, off + 64 * 1024));
    load.cp.end();
    const loaded = (await loading) as { images: { id: string }[]; messages: string[] };
    load.agent.end();
    expect(loaded.images.map((i) => i.id)).toEqual([committed.id]);
    expect(loaded.messages).toEqual(['Loaded image: team/baked:1']);
    await dispatch('image.remove', { ref: 'team/baked:1' }, ctx);
  });

  it('healthchecks: the image’s HEALTHCHECK under --health-* shows in ps, inspect and events; NONE turns it off', async () => {
    const image = await buildBusyboxImage({ cmd: ['sleep', '1000'], healthcheck: { test: ['CMD-SHELL', 'exit 0'], intervalMs: 30_000, retries: 2 } });
    await pushImage(image, registry.url, 'team/checked', 'latest');
    const checked = `${new URL(registry.url).host}/team/checked:latest`;
    await dispatch('image.pull', { ref: checked }, ctx);
    await dispatch('container.create', { image: checked, name: 'checked', healthcheck: { intervalMs: 100 } }, ctx);
    await dispatch('container.create', { image: checked, name: 'unchecked', healthcheck: { test: ['NONE'] } }, ctx);
    await dispatch('container.start', { id: 'checked' }, ctx);
    await dispatch('container.start', { id: 'unchecked' }, ctx);
    type Row = { name: string; status: string; health?: string };
    const row = async (name: string) => ((await dispatch('container.list', {}, ctx)) as Row[]).find((r) => r.name === name)!;
    const deadline = Date.now() + 30_000;
    while ((await row('checked')).health !== 'healthy' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await row('checked')).toMatchObject({ health: 'healthy', status: expect.stringMatching(/^Up .+ \(healthy\)$/) });
    const unchecked = await row('unchecked');
    expect(unchecked.health).toBeUndefined();
    expect(unchecked.status).toMatch(/^Up [^(]+$/);
    const inspect = (await dispatch('container.inspect', { id: 'checked' }, ctx)) as { State: { Health: { Status: string; FailingStreak: number; Log: { ExitCode: number }[] } }; Config: { Healthcheck: unknown } };
    expect(inspect.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'exit 0'], Interval: 100_000_000, Retries: 2 });
    expect(inspect.State.Health).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    expect(inspect.State.Health.Log[0]).toMatchObject({ ExitCode: 0, Output: '' });
    const none = (await dispatch('container.inspect', { id: 'unchecked' }, ctx)) as { State: Record<string, unknown>; Config: { Healthcheck: unknown } };
    expect(none.State.Health).toBeUndefined();
    expect(none.Config.Healthcheck).toEqual({ Test: ['NONE'], Interval: 30_000_000_000, Retries: 2 });
    // the event is sent after the state is saved: it may trail what list and inspect show
    const healthEvents = () => events.filter((e) => e.kind === 'container' && e.data.name === 'checked' && String(e.data.action).startsWith('health_status')).map((e) => e.data.action);
    const eventDeadline = Date.now() + 10_000;
    while (healthEvents().length === 0 && Date.now() < eventDeadline) await new Promise((r) => setTimeout(r, 50));
    expect(healthEvents()).toEqual(['health_status: healthy']);
    // in the inventory too, for the control plane's copy
    expect((await ctx.inventory()).containers.find((c) => c.name === 'checked')?.health).toBe('healthy');
    for (const id of ['checked', 'unchecked']) await dispatch('container.remove', { id, force: true }, ctx);
    await dispatch('image.remove', { ref: checked }, ctx);
  });

  it('rmi untags and deletes once nothing uses the image', async () => {
    await dispatch('image.tag', { source: ref, target: 'mine:1' }, ctx);
    expect(await dispatch('image.remove', { ref: 'mine:1' }, ctx)).toEqual({ untagged: ['mine:1'], deleted: [] });
    const r = (await dispatch('image.remove', { ref }, ctx)) as { untagged: string[]; deleted: string[] };
    expect(r.untagged).toHaveLength(1);
    expect(r.deleted.length).toBeGreaterThan(0);
    expect(await dispatch('image.list', {}, ctx)).toEqual([]);
  });
});
