import { machine } from 'node:os';
import { detectCgroupMode } from '../cgroups/mode.ts';
import type { CgroupMode } from '../cgroups/mode.ts';
import { fsTypeName } from './fs-magic.ts';
import { statfsNearest } from './host-fs.ts';
import type { HostFs } from './host-fs.ts';
import { countCpuList, parseMeminfo, parseOsRelease } from './procfs.ts';

/** What `docker info` / `docker version` tell about a host, as the agent reports it. */
export interface HostFacts {
  hostname: string;
  kernelRelease: string;
  /** PRETTY_NAME from /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
  operatingSystem: string;
  /** OCI/Docker architecture name: amd64, arm64, ... */
  architecture: string;
  cpuCount: number;
  memoryTotalBytes: number;
  cgroup: { version: 1 | 2; mode: CgroupMode; driver: 'cgroupfs' };
  storage: { driver: 'overlay'; backingFilesystem: string };
}

export interface HostFactsOptions {
  fs: HostFs;
  /** berth's state directory; its filesystem is the storage's backing filesystem. */
  stateDir: string;
  /** `uname -m`; defaults to this machine's. */
  machine?: string;
}

// uname -m → GOARCH-style names used by OCI image indexes and Docker.
const ARCHITECTURES: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  i386: '386',
  i686: '386',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm',
  armv6l: 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64: 'mips64',
  loongarch64: 'loong64',
};

export function ociArchitecture(unameMachine: string): string {
  return ARCHITECTURES[unameMachine] ?? unameMachine;
}

export async function readHostFacts(opts: HostFactsOptions): Promise<HostFacts> {
  const { fs } = opts;
  const [hostname, kernelRelease, osRelease, cpuOnline, meminfo, mountinfo, backing] = await Promise.all([
    fs.readFile('/proc/sys/kernel/hostname'),
    fs.readFile('/proc/sys/kernel/osrelease'),
    readOsRelease(fs),
    fs.readFile('/sys/devices/system/cpu/online'),
    fs.readFile('/proc/meminfo'),
    fs.readFile('/proc/self/mountinfo'),
    backingFilesystem(fs, opts.stateDir),
  ]);
  const os = parseOsRelease(osRelease);
  const layout = detectCgroupMode(mountinfo);
  return {
    hostname: hostname.trim(),
    kernelRelease: kernelRelease.trim(),
    operatingSystem: os.PRETTY_NAME ?? os.NAME ?? 'Linux',
    architecture: ociArchitecture(opts.machine ?? machine()),
    cpuCount: countCpuList(cpuOnline),
    memoryTotalBytes: parseMeminfo(meminfo).MemTotal ?? 0,
    cgroup: { version: layout.version, mode: layout.mode, driver: 'cgroupfs' },
    storage: { driver: 'overlay', backingFilesystem: backing },
  };
}

// os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
async function readOsRelease(fs: HostFs): Promise<string> {
  try {
    return await fs.readFile('/etc/os-release');
  } catch {
    return fs.readFile('/usr/lib/os-release').catch(() => '');
  }
}

/** Docker's name for the filesystem holding `dir` (or its nearest existing ancestor: the state dir may not exist yet). */
export async function backingFilesystem(fs: HostFs, dir: string): Promise<string> {
  return fsTypeName((await statfsNearest(fs, dir)).type);
}
