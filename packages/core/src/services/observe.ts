import { db as defaultDb, type Db } from '@berth/db';
import { ServiceLabels, type ContainerStatus, type HostFacts } from '@berth/protocol';

/** A container the reconciler made, as its host last reported it. */
export interface ObservedReplica {
  hostId: string;
  containerId: string;
  name: string;
  state: ContainerStatus;
  exitCode: number | null;
  health: string | null;
  serviceId: string;
  replicaId: string | null;
}

export interface ObservedHost {
  id: string;
  name: string;
  /** the team that owns it: only that team's services are placed on it */
  teamId: string;
  status: string;
  labels: Record<string, string>;
  facts: HostFacts | null;
  lastSeenAt: Date | null;
  inventoryAt: Date | null;
}

/**
 * Every container labelled as a service's replica, from the inventories agents report (on
 * each connect and shortly after each change), in one statement: the reconciler never asks
 * a thousand hosts to find out what they run.
 */
export async function observeReplicas(db: Db = defaultDb()): Promise<ObservedReplica[]> {
  const rows = await db.$queryRaw<{ host_id: string; c: Record<string, unknown> & { labels: Record<string, string> } }[]>`
    SELECT h.id::text AS host_id, c
    FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'containers', '[]'::jsonb)) AS c
    WHERE h.revoked_at IS NULL AND (c->'labels') ? ${ServiceLabels.serviceId}`;
  return rows.map(({ host_id, c }) => ({
    hostId: host_id,
    containerId: String(c.id),
    name: String(c.name),
    state: c.state as ContainerStatus,
    exitCode: typeof c.exitCode === 'number' ? c.exitCode : null,
    health: typeof c.health === 'string' ? c.health : null,
    serviceId: c.labels[ServiceLabels.serviceId]!,
    replicaId: c.labels[ServiceLabels.replica] ?? null,
  }));
}

/** A network the reconciler made for a stack, as a host reports it. */
export interface ObservedStackNetwork {
  hostId: string;
  name: string;
  stack: string;
  /** running containers attached */
  attached: number;
}

/** The stack networks on every host (labelled by the reconciler when it made them). */
export async function observeStackNetworks(db: Db = defaultDb()): Promise<ObservedStackNetwork[]> {
  const rows = await db.$queryRaw<{ host_id: string; name: string; stack: string; attached: number }[]>`
    SELECT h.id::text AS host_id, n->>'name' AS name, n->'labels'->>${ServiceLabels.stack} AS stack,
           jsonb_array_length(COALESCE(n->'containers', '[]'::jsonb))::int AS attached
    FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'networks', '[]'::jsonb)) AS n
    WHERE h.revoked_at IS NULL AND (n->'labels') ? ${ServiceLabels.stackNetwork}`;
  return rows.map((r) => ({ hostId: r.host_id, name: r.name, stack: r.stack, attached: r.attached }));
}

export async function observeHosts(db: Db = defaultDb()): Promise<ObservedHost[]> {
  const rows = await db.host.findMany({
    where: { revokedAt: null, enrolledAt: { not: null } },
    select: { id: true, name: true, teamId: true, status: true, labels: true, facts: true, lastSeenAt: true, inventoryAt: true },
    orderBy: { name: 'asc' },
  });
  return rows.map((h) => ({ ...h, labels: (h.labels ?? {}) as Record<string, string>, facts: (h.facts ?? null) as HostFacts | null }));
}

/**
 * A fingerprint of everything that can make the reconciler act: when it is unchanged since
 * the last pass and no timer is due, a pass would do nothing, so it is skipped (the
 * reconciler's steady state costs one small query a second).
 */
export async function desiredStateFingerprint(db: Db = defaultDb()): Promise<string> {
  const [row] = await db.$queryRaw<{ f: string | null }[]>`
    SELECT concat_ws('|',
      (SELECT max(inventory_at)::text FROM hosts),
      (SELECT string_agg(id::text || status::text, ',' ORDER BY id) FROM hosts WHERE revoked_at IS NULL),
      (SELECT max(updated_at)::text || count(*)::text FROM services),
      (SELECT max(updated_at)::text || count(*)::text FROM replicas)) AS f`;
  return row?.f ?? '';
}
