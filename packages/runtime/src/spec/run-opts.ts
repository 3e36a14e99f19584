// Option functions for `berth run`: user, cwd, terminal, capabilities, seccomp, resources,
// tmpfs and bind mounts. They extend spec-opts.ts; the spec fields beyond types.ts are
// declared here (runtime-spec config-linux.md) and written through `linuxOf`.
import type { SpecOpt } from './spec-opts.ts';
import type { Linux, LinuxDeviceCgroup, Mount, Spec } from './types.ts';

export interface LinuxMemory {
  /** Bytes; memory.limit_in_bytes (v1) / memory.max (v2). */
  limit?: number;
  /** Memory plus swap in bytes, -1 unlimited (v1 memory.memsw.limit_in_bytes; runc turns it into memory.swap.max on v2). */
  swap?: number;
  reservation?: number;
}

export interface LinuxCpu {
  /** Relative weight, cpu.shares (v1); runc converts it to cpu.weight on v2. */
  shares?: number;
  /** Microseconds per period the group may run; with `period`, the --cpus limit. */
  quota?: number;
  period?: number;
  cpus?: string;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCpu;
  pids?: { limit: number };
}

export interface LinuxSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: LinuxSeccompSyscall[];
}

export interface LinuxDevice {
  path: string;
  type: string;
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** The parts of `linux` that types.ts leaves out. */
export interface LinuxRun extends Omit<Linux, 'resources'> {
  resources?: LinuxResources;
  seccomp?: LinuxSeccomp;
  devices?: LinuxDevice[];
}

/** `spec.linux` with the fields this file writes. */
export function linuxOf(spec: Spec): LinuxRun {
  return spec.linux as LinuxRun;
}

function resourcesOf(spec: Spec): LinuxResources {
  const linux = linuxOf(spec);
  linux.resources ??= {};
  return linux.resources;
}

export function withUser(uid: number, gid: number, additionalGids: number[] = []): SpecOpt {
  return (spec) => {
    spec.process.user = additionalGids.length > 0 ? { uid, gid, additionalGids: [...additionalGids] } : { uid, gid };
  };
}

export function withCwd(cwd: string): SpecOpt {
  if (!cwd.startsWith('/')) throw new Error(`working directory "${cwd}" is not absolute: give a path starting with /`);
  return (spec) => {
    spec.process.cwd = cwd;
  };
}

export function withTerminal(terminal: boolean): SpecOpt {
  return (spec) => {
    spec.process.terminal = terminal;
  };
}

export function withAnnotations(annotations: Record<string, string>): SpecOpt {
  return (spec) => {
    spec.annotations = { ...spec.annotations, ...annotations };
  };
}

/** Sets the same capability list in bounding, effective and permitted (Docker does, for root). */
export function withCapabilities(caps: readonly string[]): SpecOpt {
  return (spec) => {
    const list = [...caps];
    spec.process.capabilities = { bounding: list, effective: [...list], permitted: [...list] };
  };
}

export function withSeccomp(profile: LinuxSeccomp | null): SpecOpt {
  return (spec) => {
    const linux = linuxOf(spec);
    if (profile) linux.seccomp = structuredClone(profile);
    else delete linux.seccomp;
  };
}

export function withNoNewPrivileges(on: boolean): SpecOpt {
  return (spec) => {
    spec.process.noNewPrivileges = on;
  };
}

/**
 * `--privileged`: every capability, no seccomp, all devices allowed in the device cgroup,
 * and nothing masked or read-only under /proc and /sys (Docker's privileged semantics).
 */
export function withPrivileged(allCapabilities: readonly string[]): SpecOpt {
  return (spec) => {
    withCapabilities(allCapabilities)(spec);
    const linux = linuxOf(spec);
    delete linux.seccomp;
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    resourcesOf(spec).devices = [{ allow: true, access: 'rwm' }];
    spec.process.noNewPrivileges = false;
    // sysfs is writable for a privileged container, as in Docker.
    for (const m of spec.mounts) if (m.destination === '/sys') m.options = (m.options ?? []).filter((o) => o !== 'ro').concat('rw');
  };
}

export function withMemory(memory: LinuxMemory): SpecOpt {
  return (spec) => {
    resourcesOf(spec).memory = { ...memory };
  };
}

export function withCpu(cpu: LinuxCpu): SpecOpt {
  return (spec) => {
    resourcesOf(spec).cpu = { ...cpu };
  };
}

export function withPidsLimit(limit: number): SpecOpt {
  return (spec) => {
    resourcesOf(spec).pids = { limit };
  };
}

/** `--tmpfs /run:size=64m`: a tmpfs at `destination`, Docker's default options first. */
export function tmpfsMount(destination: string, options: readonly string[] = []): Mount {
  return { destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...options] };
}

/** `-v /host:/ctr[:ro]`: a recursive bind mount; `source` must exist on the host. */
export function bindMount(source: string, destination: string, readonly = false): Mount {
  return { destination, type: 'bind', source, options: ['rbind', readonly ? 'ro' : 'rw', 'rprivate'] };
}
