// BERTH_USERNS_REMAP through the agent's handlers on a real engine: the remap image store,
// containers in their user namespace, --userns=host, commit, docker info, and switching
// remapping off and on again over one state dir. The range is given directly, far above any
// real user's ids. Root only.
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupDirs, detectCgroupMode, detectRuntime, hostExec, remapMappings, removeCgroup, type DetectedRuntime, type UsernsRemap } from '@berth/runtime';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';
import { imageStoreRoot, openHostEngine, type HostEngine } from '../engine/host-engine.ts';
import { createHostContext } from '../host-context.ts';
import { dispatch, type AgentContext } from './index.ts';

const run = promisify(execFile);
const START = 1_600_000_000;
const uid = { start: START, size: 65536 };
const remap: UsernsRemap = { user: 'berth-test-remap', group: 'berth-test-remap', uid, gid: uid, mappings: remapMappings(uid, uid) };

describe.skipIf(process.getuid?.() !== 0)('agent with user namespace remapping on a real engine', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  let registry: RunningRegistry;
  let state: string;
  let detected: DetectedRuntime;
  const parent = `berth-userns-test-${process.pid}`;
  const open: HostEngine[] = [];
  let ref: string;

  async function agent(userns: UsernsRemap | null): Promise<{ engine: HostEngine; ctx: AgentContext }> {
    const emit = () => {};
    const engine = await openHostEngine({ stateDir: state, detected, cgroupParent: parent, searchPath: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', bridge: null, ipForward: false, userns, emit, log: () => {} });
    open.push(engine);
    return { engine, ctx: createHostContext({ stateDir: state, agentVersion: 'test', detected, engine, emit }) };
  }

  const exec = async (ctx: AgentContext, id: string, cmd: string[]) => {
    const r = await ctx.engine.containers.execCollect(id, { cmd });
    return r.stdout.trim();
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(await buildBusyboxImage(), registry.url, 'team/busybox', 'latest');
    ref = `${new URL(registry.url).host}/team/busybox:latest`;
    state = await mkdtemp(join(tmpdir(), 'berth-agent-userns-'));
    detected = await detectRuntime({ stateDir: state, exec: hostExec(), cgroupParent: parent });
  });

  afterAll(async () => {
    const last = open.at(-1);
    for (const e of open.slice(0, -1)) await e.close();
    if (last) {
      for (const c of last.containers.list()) await last.containers.remove(c.id, { force: true }).catch(() => undefined);
      await last.close();
    }
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => state && m.startsWith(state));
    for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
    await removeCgroup(cgroupDirs(detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8')), `/${parent}`)).catch(() => undefined);
    if (state) await rm(state, { recursive: true, force: true });
    await registry?.stop();
  });

  it('remapped end to end: its own image store, containers in the range, commit, --userns=host, docker info; switching off and on keeps each store', async () => {
    const on = await agent(remap);
    await dispatch('image.pull', { ref }, on.ctx);
    // the layers live under <state>/<uid>.<gid>/images, owners shifted
    const remapStore = imageStoreRoot(state, remap);
    expect(remapStore).toBe(join(state, `${START}.${START}`, 'images'));
    const layers = await readdir(join(remapStore, 'layers'));
    expect(layers).toHaveLength(1);
    const bin = await lstat(join(remapStore, 'layers', layers[0]!, 'diff', 'bin'));
    expect([bin.uid, bin.gid]).toEqual([START, START]);
    expect(await readdir(join(state, 'images')).catch(() => [])).toEqual([]);

    const facts = await on.ctx.facts();
    expect(facts.securityOptions).toEqual(['name=seccomp,profile=builtin', 'name=userns']);
    expect(facts.usernsRemap).toEqual({ user: 'berth-test-remap', group: 'berth-test-remap', uid, gid: uid });

    const web = (await dispatch('container.create', { image: ref, name: 'web', cmd: ['sleep', '1000'] }, on.ctx)) as { id: string };
    await dispatch('container.start', { id: 'web' }, on.ctx);
    expect(await exec(on.ctx, web.id, ['id', '-u'])).toBe('0');
    expect((await exec(on.ctx, web.id, ['cat', '/proc/self/uid_map'])).split(/\s+/)).toEqual(['0', String(START), '65536']);

    // commit: the layer holds the container's owners, so the new image runs remapped as well
    expect(await exec(on.ctx, web.id, ['sh', '-c', 'echo made > /made && chown 123:456 /made && echo ok'])).toBe('ok');
    const committed = (await dispatch('container.commit', { id: 'web', ref: 'made:1', pause: true }, on.ctx)) as { id: string };
    expect(committed.id).toMatch(/^sha256:/);
    const child = (await dispatch('container.create', { image: 'made:1', name: 'child', cmd: ['sleep', '1000'] }, on.ctx)) as { id: string };
    await dispatch('container.start', { id: 'child' }, on.ctx);
    expect(await exec(on.ctx, child.id, ['stat', '-c', '%u:%g', '/made'])).toBe('123:456');

    // --userns=host: one container with the host's ids; --privileged needs it
    const host = (await dispatch('container.create', { image: ref, name: 'hostns', cmd: ['sleep', '1000'], userns: 'host' }, on.ctx)) as { id: string };
    await dispatch('container.start', { id: 'hostns' }, on.ctx);
    expect((await exec(on.ctx, host.id, ['cat', '/proc/self/uid_map'])).split(/\s+/)).toEqual(['0', '0', '4294967295']);
    expect(((await dispatch('container.inspect', { id: 'hostns' }, on.ctx)) as { HostConfig: { UsernsMode: string } }).HostConfig.UsernsMode).toBe('host');
    await expect(dispatch('container.create', { image: ref, name: 'priv', cmd: ['true'], privileged: true }, on.ctx)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/privileged mode is incompatible with user namespaces: .*--userns=host/),
    });
    await on.engine.close();

    // remapping off: the plain store is empty until pulled again, the remapped containers run on
    const off = await agent(null);
    expect(await dispatch('image.list', {}, off.ctx)).toEqual([]);
    expect((await off.ctx.facts()).securityOptions).toEqual(['name=seccomp,profile=builtin']);
    expect((await off.ctx.facts()).usernsRemap).toBeNull();
    expect(off.engine.containers.inspect('web').state.status).toBe('running');
    expect((await exec(off.ctx, web.id, ['cat', '/proc/self/uid_map'])).split(/\s+/)).toEqual(['0', String(START), '65536']);
    await dispatch('image.pull', { ref }, off.ctx);
    const plainLayers = await readdir(join(state, 'images', 'layers'));
    const plainBin = await lstat(join(state, 'images', 'layers', plainLayers[0]!, 'diff', 'bin'));
    expect([plainBin.uid, plainBin.gid]).toEqual([0, 0]);
    await dispatch('image.prune', { all: true }, off.ctx).catch(() => undefined);
    await off.engine.close();

    // on again: the remap store is as it was, with the commit
    const again = await agent(remap);
    const tags = ((await dispatch('image.list', {}, again.ctx)) as { repoTags: string[] }[]).flatMap((i) => i.repoTags);
    expect(tags).toEqual(expect.arrayContaining([ref, 'made:1']));
    expect(await readdir(join(remapStore, 'layers'))).toHaveLength(2);
  });
});
