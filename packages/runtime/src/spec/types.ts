// The subset of the OCI runtime spec (config.json) berth writes.
// https://github.com/opencontainers/runtime-spec/blob/main/config.md

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface POSIXRlimit {
  /** RLIMIT_NOFILE, RLIMIT_NPROC, ... */
  type: string;
  soft: number;
  hard: number;
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: POSIXRlimit[];
  noNewPrivileges?: boolean;
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface LinuxNamespace {
  type: NamespaceType;
  /** Join this existing namespace instead of creating one. */
  path?: string;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

/** Container ids [containerID, containerID+size) are host ids [hostID, hostID+size). */
export interface LinuxIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Linux {
  namespaces?: LinuxNamespace[];
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  cgroupsPath?: string;
  resources?: { devices?: LinuxDeviceCgroup[] };
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface Spec {
  ociVersion: string;
  process: Process;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: Mount[];
  annotations?: Record<string, string>;
  linux: Linux;
}
