import { formatPorts, parsePublish, PortSpecError, type PortEntry } from '@berth/protocol/ports';
import { TRPCClientError } from '@trpc/client';

/**
 * A rolling update's state as `docker service inspect` words UpdateStatus.State, in the
 * dashboard's words: updating, rolling back, paused, rolled back, completed; null when the
 * service has not been updated.
 */
export function updateStateWord(state: string | null): string | null {
  switch (state) {
    case null: return null;
    case 'updating': return 'updating';
    case 'rollback_started': return 'rolling back';
    case 'paused':
    case 'rollback_paused': return 'paused';
    case 'rollback_completed': return 'rolled back';
    case 'completed': return 'completed';
    default: return state.replace(/_/g, ' ');
  }
}

/** A replica's current state as `docker service ps` shows it (CURRENT STATE), lower case. */
const REPLICA_WORDS: Record<string, string> = { new: 'new', starting: 'starting', running: 'running', created: 'created', exited: 'failed', dead: 'failed', failed: 'rejected', gone: 'orphaned', unhealthy: 'unhealthy', restarting: 'restarting', paused: 'paused' };
export const replicaStateWord = (state: string): string => REPLICA_WORDS[state] ?? state;

/** The PORTS column of `docker service ls` from a spec's publish entries ("*:8080->80/tcp"). */
export function publishedPorts(publish: readonly string[]): string {
  const entries: PortEntry[] = [];
  for (const p of publish) {
    try {
      for (const b of parsePublish(p)) entries.push({ containerPort: b.containerPort, protocol: b.protocol, hostIp: b.hostIp || '0.0.0.0', ...(b.hostPort ? { hostPort: b.hostPort } : {}) });
    } catch (err) {
      // a spec stored before a parser change: show it as written
      if (!(err instanceof PortSpecError)) throw err;
      return publish.join(', ');
    }
  }
  return formatPorts(entries);
}

interface ReplicaLike { host: string; desired: string; state: string }

/**
 * Desired against running replicas on each host, as the per-host table shows them: a replica
 * is desired where the reconciler wants it running; it counts as running when it also is.
 * Hosts in name order; hosts with only shut-down replicas left out.
 */
export function replicasPerHost(replicas: readonly ReplicaLike[]): { host: string; desired: number; running: number }[] {
  const byHost = new Map<string, { host: string; desired: number; running: number }>();
  for (const r of replicas) {
    if (r.desired !== 'running') continue;
    const row = byHost.get(r.host) ?? { host: r.host, desired: 0, running: 0 };
    row.desired++;
    if (r.state === 'running') row.running++;
    byHost.set(r.host, row);
  }
  return [...byHost.values()].sort((a, b) => a.host.localeCompare(b.host));
}

/** The API's refusal of a write made from a version someone else has changed meanwhile (409). */
export const isConflict = (err: unknown): boolean => err instanceof TRPCClientError && err.data?.code === 'CONFLICT';
