import { describe, expect, it } from 'vitest';
import {
  clampRlimits,
  defaultSpec,
  generateSpec,
  withCgroupsPath,
  withEnv,
  withHostname,
  withMounts,
  withNamespaces,
  withProcessArgs,
  withRlimits,
  withRootfs,
} from './spec-opts.ts';

describe('defaultSpec', () => {
  const spec = defaultSpec();

  it("grants Docker's 14 default capabilities in bounding, effective and permitted", () => {
    const docker = [
      'CAP_AUDIT_WRITE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_MKNOD',
      'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
    ];
    const caps = spec.process.capabilities;
    expect([...(caps?.bounding ?? [])].sort()).toEqual(docker);
    expect(caps?.effective).toEqual(caps?.bounding);
    expect(caps?.permitted).toEqual(caps?.bounding);
    expect(caps?.bounding).not.toContain('CAP_SYS_ADMIN');
  });

  it("masks and write-protects Docker's paths", () => {
    expect(spec.linux.maskedPaths).toEqual(expect.arrayContaining(['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware', '/proc/scsi']));
    expect(spec.linux.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('mounts proc, a /dev tmpfs, devpts, shm, mqueue and a read-only sysfs', () => {
    expect(spec.mounts.map((m) => `${m.destination}:${m.type}`)).toEqual([
      '/proc:proc',
      '/dev:tmpfs',
      '/dev/pts:devpts',
      '/dev/shm:tmpfs',
      '/dev/mqueue:mqueue',
      '/sys:sysfs',
    ]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
  });

  it('creates pid, ipc, uts, mount and network namespaces; denies devices by default; no new privileges', () => {
    expect(spec.linux.namespaces?.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
    expect(spec.linux.resources?.devices).toEqual([{ allow: false, access: 'rwm' }]);
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }]);
  });

  it('returns a fresh object each time', () => {
    const a = defaultSpec();
    a.process.capabilities?.bounding?.push('CAP_SYS_ADMIN');
    a.mounts.pop();
    expect(defaultSpec().process.capabilities?.bounding).not.toContain('CAP_SYS_ADMIN');
    expect(defaultSpec().mounts).toHaveLength(6);
  });
});

describe('spec options', () => {
  it('apply in order on top of the default', () => {
    const spec = generateSpec(
      withProcessArgs('/bin/busybox', 'sleep', '30'),
      withRootfs('/var/lib/berth/rootfs/c1', true),
      withHostname('web-1'),
      withNamespaces('pid', 'mount'),
      withCgroupsPath('/berth/c1'),
      withEnv('PATH=/bin', 'TERM=xterm'),
    );
    expect(spec.process.args).toEqual(['/bin/busybox', 'sleep', '30']);
    expect(spec.root).toEqual({ path: '/var/lib/berth/rootfs/c1', readonly: true });
    expect(spec.hostname).toBe('web-1');
    expect(spec.linux.namespaces).toEqual([{ type: 'pid' }, { type: 'mount' }]);
    expect(spec.linux.cgroupsPath).toBe('/berth/c1');
    expect(spec.process.env).toEqual(['PATH=/bin', 'TERM=xterm']);
  });

  it('withRlimits and withMounts replace entries of the same type or destination', () => {
    const spec = generateSpec(
      withRlimits({ type: 'RLIMIT_NOFILE', soft: 4096, hard: 8192 }, { type: 'RLIMIT_NPROC', soft: 100, hard: 100 }),
      withMounts({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['size=1g'] }, { destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] }),
    );
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 4096, hard: 8192 },
      { type: 'RLIMIT_NPROC', soft: 100, hard: 100 },
    ]);
    expect(spec.mounts.filter((m) => m.destination === '/dev/shm')).toEqual([{ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['size=1g'] }]);
    expect(spec.mounts.at(-1)?.destination).toBe('/data');
  });

  it('withProcessArgs needs a program', () => {
    expect(() => withProcessArgs()).toThrow(/at least the program/);
  });

  it('clampRlimits keeps hard (and soft) within the host hard limit', () => {
    const host = { RLIMIT_NOFILE: { soft: 1024, hard: 20000 }, RLIMIT_CORE: { soft: null, hard: null } };
    expect(
      clampRlimits(
        [
          { type: 'RLIMIT_NOFILE', soft: 1_048_576, hard: 1_048_576 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 10 },
          { type: 'RLIMIT_NPROC', soft: 5, hard: 5 },
        ],
        host,
      ),
    ).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
      { type: 'RLIMIT_CORE', soft: 0, hard: 10 },
      { type: 'RLIMIT_NPROC', soft: 5, hard: 5 },
    ]);
  });
});
