import { HOSTS_CHANNEL, OutboxRequester, sealCommandParams, type FleetDispatcher, type SecretBox } from '@berth/core';
import type { Db, Notifier } from '@berth/db';
import type { OperationName } from '@berth/protocol';
import type { AgentHub } from './agent-hub.ts';

/** Operations that only read: safe to send again, nothing to record. */
const READS = new Set<OperationName>([
  'host.facts', 'system.ping', 'system.df',
  'container.list', 'container.inspect', 'container.stats', 'container.top', 'container.diff',
  'image.list', 'image.inspect', 'image.history',
  'volume.list', 'volume.inspect',
  'network.list', 'network.inspect',
]);

/**
 * What the API uses to reach hosts from this gateway: requests go through the command
 * outbox (any gateway may hold the host); live state comes from this gateway's hub.
 */
export function gatewayFleet(o: { db: Db; hub: AgentHub; notifier: Notifier; direct?: boolean; secrets?: SecretBox | null }): FleetDispatcher {
  const outbox = new OutboxRequester(o.db, o.notifier);
  return {
    request: (hostId, op, params, opts) =>
      // reads change nothing, so there is nothing to make durable or to do once: when this
      // gateway holds the host they go straight over its websocket (a fleet-wide `ps` is then
      // one message per host, not five database round trips). `direct` sends writes that way
      // too: for the reconciler, whose replicas table is already the durable record of what it
      // asked (a create repeated after a crash is adopted by its name)
      (READS.has(op) || o.direct) && o.hub.isConnected(hostId)
        ? o.hub.request(hostId, op, params, { ...(opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts?.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}) })
        : outbox.request(hostId, op, opts?.sensitive ? (sealCommandParams(o.secrets ?? null, hostId, params) as never) : params, opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    openStream: (hostId, op, params, opts) => o.hub.openStream(hostId, op, params, opts),
    isConnected: (hostId) => o.hub.isConnected(hostId),
    disconnect(hostId, reason) {
      o.hub.disconnect(hostId, reason);
      // and on whichever other gateway holds it (a Prisma query runs only once then'd)
      o.db.$executeRaw`SELECT pg_notify(${HOSTS_CHANNEL}, ${`disconnect ${hostId} ${reason}`})`.catch(() => {});
    },
    latestMetrics: (hostId) => o.hub.latestMetrics(hostId),
    subscribe: (listener) => o.hub.subscribe(listener),
  };
}
