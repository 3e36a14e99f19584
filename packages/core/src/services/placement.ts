// The scheduler (../scheduler) as the reconciler asks it: which hosts may hold a replica of
// this service, and where new replicas go given where the live ones are. The scheduler decides;
// this only translates the fleet as the reconciler read it into the scheduler's terms.
import type { ServiceSpec } from '@berth/protocol';
import { parseConstraints, placeService, type SchedulableHost } from '../scheduler/index.ts';
import { unmetConstraints } from '../scheduler/constraints.ts';
import type { Placer } from './decide.ts';
import type { ObservedHost } from './observe.ts';

export interface FleetLoad {
  /** reservations of every service's live replicas, per host */
  reserved: Map<string, { cpus: number; memoryBytes: number }>;
  /** live replicas of every service, per host (the spread tie-break) */
  replicas: Map<string, number>;
}

/** What each service's live replicas hold on each host, once per pass. */
export function fleetLoad(services: { id: string; spec: ServiceSpec }[], live: { serviceId: string; hostId: string }[]): FleetLoad {
  const ask = new Map(services.map((s) => [s.id, s.spec.reservations]));
  const load: FleetLoad = { reserved: new Map(), replicas: new Map() };
  for (const r of live) {
    const a = ask.get(r.serviceId);
    const cur = load.reserved.get(r.hostId) ?? { cpus: 0, memoryBytes: 0 };
    if (a) load.reserved.set(r.hostId, { cpus: cur.cpus + a.cpus, memoryBytes: cur.memoryBytes + a.memoryBytes });
    load.replicas.set(r.hostId, (load.replicas.get(r.hostId) ?? 0) + 1);
  }
  return load;
}

/** The scheduler's words, saying that only the team's hosts were considered. */
function ofTeam(summary: string, team: { name: string }): string {
  if (summary === 'no suitable host (no hosts in the fleet)') return `no suitable host (team ${team.name} has no hosts: a service runs only on its team's hosts)`;
  return summary.replace(/^no suitable host \(/, `no suitable host of team ${team.name} (`);
}

/**
 * A Placer for one service. Only hosts of the service's team are considered: another team's
 * host is not eligible, so a replica left on one (a host moved to another team) is moved as
 * from a host that no longer meets the constraints. `own` is this service's live replicas
 * (their reservations are the scheduler's to count, not "other services'"); `avoid` names
 * hosts where a replica of it just failed, which take no new one for a while.
 */
export function placerFor(spec: ServiceSpec, team: { id: string; name: string }, fleet: ObservedHost[], load: FleetLoad, own: { hostId: string }[], avoid: (hostId: string) => string | null): Placer {
  const hosts = fleet.filter((h) => h.teamId === team.id);
  const constraints = parseConstraints(spec.placement.constraints);
  /** hosts backed off for this service, with why (shown instead of the scheduler's words for a degraded host) */
  const blockedWhy = new Map<string, string>();
  const ownCount = new Map<string, number>();
  for (const r of own) ownCount.set(r.hostId, (ownCount.get(r.hostId) ?? 0) + 1);
  const schedulable: SchedulableHost[] = hosts.map((h) => {
    const mine = ownCount.get(h.id) ?? 0;
    const reserved = load.reserved.get(h.id) ?? { cpus: 0, memoryBytes: 0 };
    const blocked = avoid(h.id);
    if (blocked && h.status === 'online') blockedWhy.set(h.id, `${h.name}: ${blocked}`);
    return {
      id: h.id,
      name: h.name,
      // a host where this service's replica just failed keeps what it has and takes nothing new
      status: blocked && h.status === 'online' ? 'degraded' : h.status,
      labels: h.labels,
      facts: h.facts ? { os: h.facts.os, architecture: h.facts.architecture, cpus: h.facts.cpus, memoryBytes: h.facts.memoryBytes } : null,
      reserved: { cpus: Math.max(0, reserved.cpus - mine * spec.reservations.cpus), memoryBytes: Math.max(0, reserved.memoryBytes - mine * spec.reservations.memoryBytes) },
      containers: load.replicas.get(h.id) ?? 0,
    };
  });
  const byId = new Map(schedulable.map((h) => [h.id, h]));
  const base = { placement: spec.placement, reservations: spec.reservations };
  return {
    eligible(hostId) {
      const h = byId.get(hostId);
      return !!h && (h.status === 'online' || h.status === 'degraded') && unmetConstraints(constraints, h).length === 0;
    },
    place(slots, live) {
      const current = live.map((r, i) => ({ id: `live-${i}`, slot: r.slot, hostId: r.hostId, running: true }));
      const fixed = slots.filter((s) => s.hostId);
      const free = slots.filter((s) => !s.hostId);
      const placed: { slot: number; hostId: string }[] = [];
      const why: string[] = [];
      if (free.length) {
        // as many replicas as are live plus asked for: the scheduler's new ones are the asked-for
        const d = placeService({ ...base, mode: { mode: 'replicated', replicas: live.length + free.length } }, schedulable, current);
        d.place.slice(0, free.length).forEach((p, i) => placed.push({ slot: free[i]!.slot, hostId: p.hostId }));
        if (d.unplaced) why.push(ofTeam(d.unplaced.summary, team), ...d.unplaced.hosts.map((h) => blockedWhy.get(h.hostId) ?? h.message));
      }
      if (fixed.length) {
        // a global service's replica for a given host: the scheduler's global decision says which hosts take one
        const d = placeService({ ...base, mode: { mode: 'global' } }, schedulable, current.filter((r) => !fixed.some((f) => f.hostId === r.hostId)));
        const ok = new Set(d.place.map((p) => p.hostId));
        for (const f of fixed) if (ok.has(f.hostId!)) placed.push({ slot: f.slot, hostId: f.hostId! });
        if (d.unplaced) why.push(ofTeam(d.unplaced.summary, team));
      }
      return { placed, unplaced: slots.length - placed.length, why: why.join('\n') };
    },
  };
}
