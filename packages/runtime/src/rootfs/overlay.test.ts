import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingExec } from '../sys/exec-recorder.ts';
import { isMountPoint, mountOverlay, overlayMount, unmountOverlay } from './overlay.ts';

const layout = (lowerDirs: string[], base = '/var/lib/berth/containers/c1') => ({
  lowerDirs,
  upperDir: `${base}/diff`,
  workDir: `${base}/work`,
  target: `${base}/rootfs`,
  linkDir: `${base}/l`,
});

const MOUNTINFO = (target: string) => `36 25 0:31 / ${target} rw,relatime - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c\n`;

describe('overlayMount (deciding)', () => {
  it('absolute lowerdirs, top first, when the options fit in a page', () => {
    expect(overlayMount(layout(['/layers/top', '/layers/base']))).toEqual({
      argv: ['mount', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/layers/top:/layers/base,upperdir=/var/lib/berth/containers/c1/diff,workdir=/var/lib/berth/containers/c1/work', '/var/lib/berth/containers/c1/rootfs'],
      links: [],
    });
  });

  it('too long for a page: short relative names, run from the link dir', () => {
    const lowers = Array.from({ length: 60 }, (_, i) => `/var/lib/berth/snapshots/${'x'.repeat(64)}${i}/fs`);
    const plan = overlayMount(layout(lowers));
    expect(plan.cwd).toBe('/var/lib/berth/containers/c1/l');
    expect(plan.links).toHaveLength(60);
    expect(plan.links[0]).toEqual({ path: '/var/lib/berth/containers/c1/l/0', target: lowers[0] });
    expect(plan.argv[5]).toMatch(/^lowerdir=0:1:2:.*:1m:1n,upperdir=/);
    expect((plan.argv[5] ?? '').length).toBeLessThan(4096);
  });

  it('refuses no layers and paths overlayfs cannot take', () => {
    expect(() => overlayMount(layout([]))).toThrow(/no lower directories/);
    expect(() => overlayMount(layout(['/a:b']))).toThrow(/contains ":" or ","/);
  });
});

describe('mountOverlay / unmountOverlay (doing, with a recording exec)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('mounts once: a second call sees the mount and does nothing; unmount is idempotent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-overlay-'));
    const l = layout(['/layers/a'], dir);
    const exec = recordingExec(() => ({ code: 0 }));
    let mounted = false;
    const ops = { exec, readMountinfo: async () => (mounted ? MOUNTINFO(l.target) : '') };
    await mountOverlay(l, ops);
    mounted = true;
    await mountOverlay(l, ops);
    expect(exec.argvs()).toEqual([['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=/layers/a,upperdir=${dir}/diff,workdir=${dir}/work`, `${dir}/rootfs`]]);
    expect((await lstat(join(dir, 'diff'))).isDirectory()).toBe(true);
    await unmountOverlay(l.target, ops);
    mounted = false;
    await unmountOverlay(l.target, ops);
    expect(exec.argvs().slice(1)).toEqual([['umount', `${dir}/rootfs`]]);
  });

  it('makes the short links before a long mount and runs mount in their directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-overlay-'));
    const l = layout(['/layers/top', '/layers/base'], dir);
    const exec = recordingExec(() => ({ code: 0 }));
    const shortLength = `lowerdir=0:1,upperdir=${dir}/diff,workdir=${dir}/work`.length;
    await mountOverlay(l, { exec, readMountinfo: async () => '' }, shortLength);
    expect(exec.calls[0]?.opts.cwd).toBe(join(dir, 'l'));
    expect(exec.calls[0]?.argv[5]).toBe(`lowerdir=0:1,upperdir=${dir}/diff,workdir=${dir}/work`);
    expect(await readlink(join(dir, 'l', '1'))).toBe('/layers/base');
  });

  it('a failed mount names the target and the layers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-overlay-'));
    const exec = recordingExec(() => ({ code: 32, stderr: 'mount: special device overlay does not exist.' }));
    await expect(mountOverlay(layout(['/layers/gone'], dir), { exec, readMountinfo: async () => '' })).rejects.toThrow(
      `cannot mount the overlay rootfs at ${dir}/rootfs: mount: special device overlay does not exist. (lower dirs: /layers/gone)`,
    );
  });

  it('isMountPoint reads mountinfo', () => {
    expect(isMountPoint(MOUNTINFO('/x/rootfs'), '/x/rootfs')).toBe(true);
    expect(isMountPoint(MOUNTINFO('/x/rootfs'), '/x')).toBe(false);
  });
});
