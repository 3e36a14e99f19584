import type { ContainerCreate } from '@berth/protocol';

/** Capabilities that hand a container the host (module loading, mounts, raw devices, tracing). */
const HOST_CAPABILITIES = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'SYS_BOOT', 'DAC_READ_SEARCH', 'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON']);

/**
 * The host path a -v entry binds, or null for a volume: /host:/ctr[:mode] binds a host path;
 * name:/ctr[:mode] is a named volume and /ctr[:mode] an anonymous one.
 */
export function hostPathOf(bind: string): string | null {
  const parts = bind.split(':');
  if (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw')) return null;
  if (parts.length < 2) return null;
  return parts[0]!.startsWith('/') ? parts[0]! : null;
}

/**
 * What in a container's spec gives it power over its host, and so needs the admin role:
 * --privileged, --userns=host, bind mounts of host paths, capabilities that amount to root on
 * the host, and the host's network namespace (it reaches every service the host keeps on 127.0.0.1).
 * Returns the reasons, empty when an operator may create it.
 */
export function adminOnlyFeatures(spec: Pick<ContainerCreate, 'privileged' | 'binds' | 'capAdd'> & { network?: string | undefined; userns?: 'host' | undefined }): string[] {
  const reasons: string[] = [];
  if (spec.privileged) reasons.push('--privileged');
  // on a host that remaps, it makes the container's root the host's root again
  if (spec.userns === 'host') reasons.push('--userns host');
  if (spec.network === 'host') reasons.push('--network host');
  for (const b of spec.binds) {
    const path = hostPathOf(b);
    if (path !== null) reasons.push(`a bind mount of the host path ${path}`);
  }
  for (const c of spec.capAdd) {
    const cap = c.toUpperCase().replace(/^CAP_/, '');
    if (HOST_CAPABILITIES.has(cap)) reasons.push(`--cap-add ${c}`);
  }
  return reasons;
}

/** What the audit log keeps of a spec: everything but env values (their names stay). */
export function auditedSpec(spec: ContainerCreate): Record<string, unknown> {
  const { env, ...rest } = spec;
  return { ...rest, env: env.map((e) => e.slice(0, Math.max(0, e.indexOf('=')))) };
}
