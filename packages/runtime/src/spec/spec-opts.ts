import {
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_NAMESPACES,
  DEFAULT_PATH_ENV,
  DEFAULT_READONLY_PATHS,
  DEFAULT_RLIMITS,
  OCI_VERSION,
  defaultMounts,
} from './defaults.ts';
import type { ProcessLimit } from '../sys/procfs.ts';
import type { LinuxIDMapping, Mount, NamespaceType, POSIXRlimit, Spec } from './types.ts';

/** One change to a spec, in the manner of containerd's pkg/oci SpecOpts. */
export type SpecOpt = (spec: Spec) => void;

/** A Docker-like spec: root process `sh`, default mounts, namespaces, capabilities, masks. */
export function defaultSpec(): Spec {
  const caps = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: [DEFAULT_PATH_ENV],
      cwd: '/',
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      rlimits: DEFAULT_RLIMITS.map((r) => ({ ...r })),
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    mounts: defaultMounts(),
    linux: {
      namespaces: DEFAULT_NAMESPACES.map((type) => ({ type })),
      // Deny every device, then the runtime adds the standard ones (null, zero, tty...).
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}

/** defaultSpec() with `opts` applied in order. */
export function generateSpec(...opts: SpecOpt[]): Spec {
  const spec = defaultSpec();
  for (const opt of opts) opt(spec);
  return spec;
}

export function withProcessArgs(...args: string[]): SpecOpt {
  if (args.length === 0) throw new Error('withProcessArgs: a container needs at least the program to run');
  return (spec) => {
    spec.process.args = [...args];
  };
}

/** `path` must be the real path for runc (it refuses a symlinked root). */
export function withRootfs(path: string, readonly = false): SpecOpt {
  return (spec) => {
    spec.root = { path, readonly };
  };
}

export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    spec.hostname = hostname;
  };
}

/** Replaces the namespace list: the container gets exactly these new namespaces. */
export function withNamespaces(...types: NamespaceType[]): SpecOpt {
  return (spec) => {
    spec.linux.namespaces = types.map((type) => ({ type }));
  };
}

/**
 * A user namespace with these mappings (Docker's userns-remap). With the host's network
 * namespace, which the new user namespace does not own, the kernel refuses a fresh sysfs:
 * the host's /sys is bound read-only instead, as Docker does.
 */
export function withUserNamespace(uidMappings: readonly LinuxIDMapping[], gidMappings: readonly LinuxIDMapping[]): SpecOpt {
  return (spec) => {
    const namespaces = spec.linux.namespaces ?? [];
    if (!namespaces.some((n) => n.type === 'user')) namespaces.push({ type: 'user' });
    spec.linux.namespaces = namespaces;
    spec.linux.uidMappings = uidMappings.map((m) => ({ ...m }));
    spec.linux.gidMappings = gidMappings.map((m) => ({ ...m }));
    if (!namespaces.some((n) => n.type === 'network' && !n.path)) {
      spec.mounts = spec.mounts.map((m) => (m.type === 'sysfs' ? { destination: m.destination, type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] } : m));
    }
  };
}

export function withCgroupsPath(cgroupsPath: string): SpecOpt {
  return (spec) => {
    spec.linux.cgroupsPath = cgroupsPath;
  };
}

/** Replaces the rlimits of the same type; others stay. */
export function withRlimits(...rlimits: POSIXRlimit[]): SpecOpt {
  return (spec) => {
    const types = new Set(rlimits.map((r) => r.type));
    spec.process.rlimits = [...(spec.process.rlimits ?? []).filter((r) => !types.has(r.type)), ...rlimits.map((r) => ({ ...r }))];
  };
}

/** Adds mounts, replacing default ones with the same destination. */
export function withMounts(...mounts: Mount[]): SpecOpt {
  return (spec) => {
    const dests = new Set(mounts.map((m) => m.destination));
    spec.mounts = [...spec.mounts.filter((m) => !dests.has(m.destination)), ...mounts];
  };
}

export function withEnv(...env: string[]): SpecOpt {
  return (spec) => {
    const keys = new Set(env.map((e) => e.split('=')[0]));
    spec.process.env = [...(spec.process.env ?? []).filter((e) => !keys.has(e.split('=')[0])), ...env];
  };
}

/**
 * Lowers each rlimit to the host's hard limit (`host` as parsed from /proc/self/limits):
 * the kernel refuses to raise a hard limit past it, so the container would not start.
 */
export function clampRlimits(rlimits: readonly POSIXRlimit[], host: Record<string, ProcessLimit>): POSIXRlimit[] {
  return rlimits.map((r) => {
    const cap = host[r.type]?.hard;
    if (cap === null || cap === undefined) return { ...r };
    const hard = Math.min(r.hard, cap);
    return { type: r.type, soft: Math.min(r.soft, hard), hard };
  });
}
