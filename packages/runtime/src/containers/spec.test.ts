import { describe, expect, it } from 'vitest';
import type { LinuxRun } from '../spec/run-opts.ts';
import { ALL_CAPABILITIES, resolveCapabilities } from './capabilities.ts';
import { cgroupFiles, mapResources, sharesToWeight } from './resources.ts';
import { defaultSeccompProfile } from './seccomp.ts';
import { buildContainerSpec } from './spec.ts';
import type { ContainerSpecInput } from './spec.ts';

const input = (over: Partial<ContainerSpecInput> = {}): ContainerSpecInput => ({
  id: 'abc',
  config: {},
  image: { Env: ['PATH=/bin'] },
  rootfsPath: '/var/lib/berth/containers/abc/rootfs',
  args: ['sh'],
  user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  hostname: 'abc',
  cgroupsPath: '/berth/abc',
  hostLimits: { RLIMIT_NOFILE: { soft: 20000, hard: 20000 } },
  host: { swapAccounting: true, cpus: 2 },
  arch: 'amd64',
  volumeDataDir: (n) => `/var/lib/berth/volumes/${n}/_data`,
  ...over,
});

describe('capabilities', () => {
  it("Docker's rule: defaults, drop, then add; ALL on either side", () => {
    const caps = resolveCapabilities({ add: ['net_admin', 'CAP_SYS_TIME'], drop: ['chown', 'NET_RAW'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_TIME');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(resolveCapabilities({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(resolveCapabilities({ add: ['ALL'], drop: ['SYS_ADMIN'] })).toHaveLength(ALL_CAPABILITIES.length - 1);
    expect(resolveCapabilities({ privileged: true })).toEqual(ALL_CAPABILITIES);
    expect(() => resolveCapabilities({ add: ['FLY'] })).toThrow('unknown capability: "FLY"');
  });
});

describe('default seccomp profile', () => {
  it('is a deny-list: default allow, dangerous syscalls fail with EPERM, on every x86 ABI', () => {
    const p = defaultSeccompProfile(resolveCapabilities({}));
    expect(p.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(p.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const denied = new Set((p.syscalls ?? []).filter((s) => !s.args && s.errnoRet === 1).flatMap((s) => s.names));
    for (const name of ['kexec_load', 'open_by_handle_at', 'init_module', 'delete_module', 'keyctl', 'add_key', 'request_key', 'bpf', 'perf_event_open', 'mount', 'umount2', 'unshare', 'setns', 'ptrace', 'userfaultfd', 'reboot', 'swapon', 'settimeofday']) {
      expect(denied.has(name), name).toBe(true);
    }
    for (const s of p.syscalls ?? []) expect(s.action).toBe('SCMP_ACT_ERRNO');
    expect(denied.has('read')).toBe(false);
    // clone with a namespace flag is denied, one rule per flag; clone3 gets ENOSYS so libc falls back.
    const clones = (p.syscalls ?? []).filter((s) => s.names.includes('clone'));
    expect(clones.map((s) => s.args?.[0]?.op)).toEqual(Array(8).fill('SCMP_CMP_MASKED_EQ'));
    expect(clones.some((s) => s.args?.[0]?.value === 0x10000000)).toBe(true);
    expect((p.syscalls ?? []).find((s) => s.names.includes('clone3'))?.errnoRet).toBe(38);
  });

  it('a capability brings its syscalls back (mount with CAP_SYS_ADMIN, ptrace with CAP_SYS_PTRACE)', () => {
    const names = (caps: string[]) => new Set((defaultSeccompProfile(caps).syscalls ?? []).flatMap((s) => s.names));
    const admin = names(resolveCapabilities({ add: ['SYS_ADMIN'] }));
    expect(admin.has('mount')).toBe(false);
    expect(admin.has('unshare')).toBe(false);
    expect(admin.has('clone')).toBe(false);
    expect(admin.has('keyctl')).toBe(true);
    expect(names(resolveCapabilities({ add: ['SYS_PTRACE'] })).has('ptrace')).toBe(false);
    expect(defaultSeccompProfile([], 'arm64').architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  });
});

describe('resources', () => {
  const host = { swapAccounting: true, cpus: 2 };
  it('memory: swap defaults to twice the limit; -1 is unlimited; Docker’s checks', () => {
    expect(mapResources({ memory: 64 << 20 }, host).memory).toEqual({ limit: 64 << 20, swap: 128 << 20 });
    expect(mapResources({ memory: 64 << 20, memorySwap: -1 }, host).memory).toEqual({ limit: 64 << 20, swap: -1 });
    expect(mapResources({ memory: 64 << 20, memorySwap: 96 << 20 }, host).memory).toEqual({ limit: 64 << 20, swap: 96 << 20 });
    expect(mapResources({ memory: 64 << 20 }, { ...host, swapAccounting: false }).memory).toEqual({ limit: 64 << 20 });
    expect(() => mapResources({ memory: 1 << 20 }, host)).toThrow('Minimum memory limit allowed is 6MB');
    expect(() => mapResources({ memory: 64 << 20, memorySwap: 32 << 20 }, host)).toThrow(/memoryswap limit should be larger/);
    expect(() => mapResources({ memorySwap: 64 << 20 }, host)).toThrow(/always set the Memory limit/);
  });

  it('--cpus becomes quota/period, shares stay, pids limit', () => {
    expect(mapResources({ nanoCpus: 1.5e9, cpuShares: 512, pidsLimit: 50 }, host)).toEqual({ cpu: { period: 100000, quota: 150000, shares: 512 }, pids: { limit: 50 } });
    expect(() => mapResources({ nanoCpus: 3e9 }, host)).toThrow('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(mapResources({ pidsLimit: -1 }, host)).toEqual({});
  });

  it('the cgroup files: v1 per controller, v2 with swap apart and weights', () => {
    const m = mapResources({ memory: 64 << 20, nanoCpus: 0.5e9, cpuShares: 1024, pidsLimit: 50 }, host);
    expect(cgroupFiles(m, 1)).toEqual({
      'memory/memory.limit_in_bytes': '67108864',
      'memory/memory.memsw.limit_in_bytes': '134217728',
      'cpu/cpu.cfs_quota_us': '50000',
      'cpu/cpu.cfs_period_us': '100000',
      'cpu/cpu.shares': '1024',
      'pids/pids.max': '50',
    });
    expect(cgroupFiles(m, 2)).toEqual({ 'memory.max': '67108864', 'memory.swap.max': '67108864', 'cpu.max': '50000 100000', 'cpu.weight': '39', 'pids.max': '50' });
    expect(cgroupFiles(mapResources({ memory: 64 << 20, memorySwap: -1 }, host), 2)['memory.swap.max']).toBe('max');
    expect([sharesToWeight(2), sharesToWeight(262144)]).toEqual([1, 10000]);
  });
});

describe('buildContainerSpec', () => {
  it('process, root, hostname, cgroup, default caps and seccomp', () => {
    const spec = buildContainerSpec(input({ config: { env: ['A=1'], workingDir: '/tmp', readonlyRootfs: true, labels: { x: 'y' } }, user: { uid: 33, gid: 33, additionalGids: [4], home: '/var/www' } }));
    expect(spec.process.args).toEqual(['sh']);
    expect(spec.process.env).toEqual(['PATH=/bin', 'HOSTNAME=abc', 'A=1', 'HOME=/var/www']);
    expect(spec.process.cwd).toBe('/tmp');
    expect(spec.process.user).toEqual({ uid: 33, gid: 33, additionalGids: [4] });
    expect(spec.root).toEqual({ path: '/var/lib/berth/containers/abc/rootfs', readonly: true });
    expect(spec.hostname).toBe('abc');
    expect(spec.linux.cgroupsPath).toBe('/berth/abc');
    expect(spec.process.capabilities?.bounding).toHaveLength(14);
    expect((spec.linux as LinuxRun).seccomp?.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(spec.process.noNewPrivileges).toBe(true);
  });

  it('rlimits are clamped to the host hard limit (20000 here)', () => {
    const spec = buildContainerSpec(input({ config: { resources: { ulimits: [{ name: 'nofile', soft: 65536, hard: 1048576 }, { name: 'nproc', soft: 100, hard: 200 }] } } }));
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
      { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
    ]);
    expect(() => buildContainerSpec(input({ config: { resources: { ulimits: [{ name: 'bogus', soft: 1, hard: 1 }] } } }))).toThrow(/unknown ulimit "bogus"/);
  });

  it('tmpfs, bind and volume mounts; duplicates refused', () => {
    const spec = buildContainerSpec(input({
      config: { tmpfs: [{ destination: '/run', options: ['size=64m'] }], binds: [{ source: '/srv/data', destination: '/data', readonly: true }], volumes: [{ name: 'db', destination: '/var/lib/db' }] },
    }));
    const byDest = Object.fromEntries(spec.mounts.map((m) => [m.destination, m]));
    expect(byDest['/run']).toEqual({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=64m'] });
    expect(byDest['/data']).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'rprivate'] });
    expect(byDest['/var/lib/db']?.source).toBe('/var/lib/berth/volumes/db/_data');
    expect(() => buildContainerSpec(input({ config: { tmpfs: [{ destination: '/x' }, { destination: '/x' }] } }))).toThrow('Duplicate mount point: /x');
    expect(() => buildContainerSpec(input({ config: { binds: [{ source: 'rel', destination: '/x' }] } }))).toThrow(/absolute host path/);
  });

  it('resources land in linux.resources', () => {
    const spec = buildContainerSpec(input({ config: { resources: { memory: 64 << 20, nanoCpus: 1e9, cpuShares: 512, pidsLimit: 20 } } }));
    expect((spec.linux as LinuxRun).resources).toEqual({
      devices: [{ allow: false, access: 'rwm' }],
      memory: { limit: 64 << 20, swap: 128 << 20 },
      cpu: { period: 100000, quota: 100000, shares: 512 },
      pids: { limit: 20 },
    });
  });

  it('privileged: every capability, no seccomp, all devices, nothing masked, rw sysfs', () => {
    const spec = buildContainerSpec(input({ config: { privileged: true, capDrop: ['ALL'] } }));
    const linux = spec.linux as LinuxRun;
    expect(spec.process.capabilities?.bounding).toEqual(ALL_CAPABILITIES);
    expect(linux.seccomp).toBeUndefined();
    expect(linux.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(linux.maskedPaths).toEqual([]);
    expect(linux.readonlyPaths).toEqual([]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).not.toContain('ro');
  });
});

describe('user namespace (userns-remap)', () => {
  const userns = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }] };

  it('adds a user namespace with the mappings; a fresh sysfs stays with its own network namespace', () => {
    const spec = buildContainerSpec(input({ userns }));
    expect(spec.linux.namespaces?.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'network', 'user']);
    expect(spec.linux.uidMappings).toEqual(userns.uidMappings);
    expect(spec.linux.gidMappings).toEqual(userns.gidMappings);
    expect(spec.mounts.find((m) => m.destination === '/sys')).toMatchObject({ type: 'sysfs' });
  });

  it("with --network host binds the host's /sys read-only (the kernel refuses sysfs for a network namespace the user namespace does not own)", () => {
    const spec = buildContainerSpec(input({ userns, hostNetwork: true }));
    expect(spec.linux.namespaces?.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount', 'user']);
    expect(spec.mounts.find((m) => m.destination === '/sys')).toEqual({ destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  });

  it('without remapping there is no user namespace and no mappings', () => {
    const spec = buildContainerSpec(input());
    expect(spec.linux.namespaces?.some((n) => n.type === 'user')).toBe(false);
    expect(spec.linux.uidMappings).toBeUndefined();
  });
});
