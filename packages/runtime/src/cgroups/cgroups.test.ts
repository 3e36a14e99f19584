import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HYBRID_MOUNTINFO, LEGACY_MOUNTINFO, V2_MOUNTINFO } from '../sys/fixtures/hosts.ts';
import { detectCgroupMode } from './mode.ts';
import { cgroupDirs, containerCgroupDirs, containerCgroupsPath } from './paths.ts';
import { removeCgroup } from './remove.ts';
import type { CgroupFsOps } from './remove.ts';

describe('detectCgroupMode', () => {
  it('pure v2: cgroup2 at /sys/fs/cgroup is unified, version 2', () => {
    expect(detectCgroupMode(V2_MOUNTINFO)).toEqual({ version: 2, mode: 'unified', v1: {}, unifiedMountPoint: '/sys/fs/cgroup' });
  });

  it('v1 hierarchies plus a cgroup2 mount is hybrid, version 1', () => {
    const layout = detectCgroupMode(HYBRID_MOUNTINFO);
    expect(layout).toMatchObject({ version: 1, mode: 'hybrid', unifiedMountPoint: '/sys/fs/cgroup/unified' });
    expect(layout.v1).toMatchObject({ cpu: '/sys/fs/cgroup/cpu', memory: '/sys/fs/cgroup/memory', 'name=systemd': '/sys/fs/cgroup/systemd' });
  });

  it('v1 only is legacy; co-mounted controllers share a mount; options like release_agent are not controllers', () => {
    const layout = detectCgroupMode(LEGACY_MOUNTINFO);
    expect(layout.version).toBe(1);
    expect(layout.mode).toBe('legacy');
    expect(layout.unifiedMountPoint).toBeNull();
    expect(layout.v1.cpu).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(layout.v1.cpuacct).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(Object.keys(layout.v1).sort()).toEqual(['cpu', 'cpuacct', 'devices', 'freezer', 'memory', 'name=systemd', 'net_cls', 'net_prio', 'pids']);
  });

  it('says what to do when no cgroup filesystem is mounted', () => {
    expect(() => detectCgroupMode('27 1 254:0 / / rw - ext4 /dev/vda rw\n')).toThrow(/no cgroup filesystem.*mount cgroup2/);
  });
});

describe('cgroup paths', () => {
  it('puts a container at /<parent>/<id> and refuses unsafe segments', () => {
    expect(containerCgroupsPath('c1')).toBe('/berth/c1');
    expect(containerCgroupsPath('c1', 'berth-test/x')).toBe('/berth-test/x/c1');
    expect(() => containerCgroupsPath('../etc')).toThrow(/invalid cgroup path segment "\.\.\/etc"/);
    expect(() => containerCgroupsPath('c1', '..')).toThrow(/invalid cgroup path segment/);
  });

  it('v2: one directory', () => {
    expect(containerCgroupDirs(detectCgroupMode(V2_MOUNTINFO), 'c1')).toEqual(['/sys/fs/cgroup/berth/c1']);
  });

  it('v1 legacy: one directory per hierarchy, co-mounted controllers once', () => {
    expect(cgroupDirs(detectCgroupMode(LEGACY_MOUNTINFO), '/berth/c1')).toEqual([
      '/sys/fs/cgroup/cpu,cpuacct/berth/c1',
      '/sys/fs/cgroup/devices/berth/c1',
      '/sys/fs/cgroup/freezer/berth/c1',
      '/sys/fs/cgroup/memory/berth/c1',
      '/sys/fs/cgroup/net_cls,net_prio/berth/c1',
      '/sys/fs/cgroup/pids/berth/c1',
      '/sys/fs/cgroup/systemd/berth/c1',
    ]);
  });

  it('v1 hybrid: the v1 hierarchies and the cgroup2 mount, where runc also creates it', () => {
    const dirs = containerCgroupDirs(detectCgroupMode(HYBRID_MOUNTINFO), 'c1');
    expect(dirs).toHaveLength(10);
    expect(dirs).toContain('/sys/fs/cgroup/unified/berth/c1');
    expect(dirs).toContain('/sys/fs/cgroup/systemd/berth/c1');
  });
});

describe('removeCgroup', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('removes nested directories bottom-up and ignores missing ones', async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-cgroup-'));
    await mkdir(join(root, 'memory/berth/c1/sub/deeper'), { recursive: true });
    await mkdir(join(root, 'pids/berth/c1'), { recursive: true });
    await removeCgroup([join(root, 'memory/berth/c1'), join(root, 'pids/berth/c1'), join(root, 'cpu/berth/c1')]);
    await expect(stat(join(root, 'memory/berth/c1'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(root, 'pids/berth/c1'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The shared parent stays: other containers live there.
    expect((await stat(join(root, 'memory/berth'))).isDirectory()).toBe(true);
  });

  it('retries while busy, then names the cgroup and what to do', async () => {
    const removed: string[] = [];
    let busy = 2;
    const ops: CgroupFsOps = {
      readdir: async () => [],
      rmdir: async (p) => {
        if (busy-- > 0) throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
        removed.push(p);
      },
    };
    await removeCgroup(['/sys/fs/cgroup/memory/berth/c1'], { ops });
    expect(removed).toEqual(['/sys/fs/cgroup/memory/berth/c1']);

    const stuck: CgroupFsOps = { readdir: async () => [], rmdir: async () => Promise.reject(Object.assign(new Error('EBUSY'), { code: 'EBUSY' })) };
    await expect(removeCgroup(['/sys/fs/cgroup/pids/berth/c2'], { ops: stuck, busyTimeoutMs: 60 })).rejects.toThrow(
      'cannot remove cgroup /sys/fs/cgroup/pids/berth/c2: processes still in it (see /sys/fs/cgroup/pids/berth/c2/cgroup.procs); kill them first',
    );
  });
});
