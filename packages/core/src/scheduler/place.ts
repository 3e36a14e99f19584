// The scheduler's decision for one service: given its mode, placement and reservations, the
// fleet's hosts and the replicas it has now, which replicas stay, which go and where new ones go,
// and for those that cannot go anywhere, why (per host, and in one line). Pure: the reconciler
// reads hosts and replicas from the database, calls this, and does what it says.
//
// Rules (docs/architecture.md#scheduler):
// - a replica stays where it is while its host is online or degraded and satisfies the
//   constraints: no needless moves (scaling up, or another host coming back, moves nothing);
// - it goes when its host is offline (or gone), no longer satisfies a constraint, holds more
//   than maxReplicasPerHost, or the service scales down; a replacement keeps the slot;
// - only online hosts take new replicas: a degraded host (missed heartbeats, maybe going away)
//   keeps what it has and takes nothing until it is back;
// - replicated: spread (fewest replicas of the service, then fewest containers, then name) or
//   binpack (the fullest host that fits), after the preferences' spread over label values;
//   scale-down removes replicas that are not running first, then those on degraded hosts, then
//   from the hosts with the most replicas;
// - global: one replica on every online host that satisfies the constraints and has room;
// - reservations count against facts.cpus/memoryBytes less what other services reserve, and
//   each replica kept or placed here counts. Kept replicas are never evicted for resources.
import type { Placement, Reservations, ServiceMode } from '@berth/protocol';
import { parseConstraints, parseSpreadPreference } from './constraints.ts';
import { refusalCounts, type HostRefusal } from './explain.ts';
import { Heap } from './heap.ts';
import { HostState, toNanoCpus, type SchedulableHost } from './host-state.ts';
import { SpreadTree } from './spread-tree.ts';

export type { SchedulableHost, HostStatus } from './host-state.ts';
export type { HostRefusal, RefusalKind } from './explain.ts';

/** The parts of a ServiceSpec the scheduler reads. */
export interface ServicePlacement {
  mode: ServiceMode;
  placement: Placement;
  reservations: Reservations;
}

/** A replica of the service as it is now. */
export interface CurrentReplica {
  /** its id (container or task): handed back in keep and remove */
  id: string;
  slot: number;
  hostId: string;
  /** running (and healthy when it has a healthcheck): kept first when a slot has two, removed last */
  running: boolean;
}

export interface NewReplica {
  slot: number;
  hostId: string;
  host: string;
}

export interface KeptReplica extends NewReplica {
  id: string;
}

export type RemovalReason = 'host-gone' | 'host-unavailable' | 'constraints' | 'duplicate' | 'max-replicas' | 'scale-down';

export interface RemovedReplica {
  id: string;
  slot: number;
  hostId: string;
  /** null when the host is no longer in the fleet */
  host: string | null;
  reason: RemovalReason;
  /** "h4: offline", "h3: constraint node.labels.zone == eu not met (zone=us)", "scale down to 3 replicas" */
  message: string;
}

export interface Unplaced {
  /** replicas that could not be placed */
  count: number;
  /** their slots (replicated mode) */
  slots: number[];
  /** why each host cannot take one, by host name */
  hosts: HostRefusal[];
  /** "no suitable host (scheduling constraints not satisfied on 3 hosts; insufficient resources on 1 host)" */
  summary: string;
}

export interface PlacementDecision {
  keep: KeptReplica[];
  remove: RemovedReplica[];
  place: NewReplica[];
  unplaced: Unplaced | null;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: HostState, b: HostState): number => byText(a.name, b.name) || byText(a.host.id, b.host.id);

/** Slot numbers for `n` new replicas: the slots of replicas that had to go first, then the lowest free. */
function newSlots(n: number, taken: ReadonlySet<number>, freed: ReadonlySet<number>): number[] {
  const out = [...freed].filter((s) => !taken.has(s)).sort((a, b) => a - b).slice(0, n);
  const used = new Set(out);
  for (let s = 1; out.length < n; s++) if (!taken.has(s) && !used.has(s)) out.push(s);
  return out.sort((a, b) => a - b);
}

export function placeService(service: ServicePlacement, hosts: readonly SchedulableHost[], replicas: readonly CurrentReplica[]): PlacementDecision {
  // bad constraints or preferences fail here, before anything is decided
  const constraints = parseConstraints(service.placement.constraints);
  const labels = service.placement.preferences.map((p) => parseSpreadPreference(p.spread));
  const global = service.mode.mode === 'global';
  const want = service.mode.mode === 'replicated' ? service.mode.replicas : 0;
  const ask = {
    nanoCpus: toNanoCpus(service.reservations.cpus),
    memoryBytes: service.reservations.memoryBytes,
    maxPerHost: global ? 1 : (service.placement.maxReplicasPerHost ?? Number.POSITIVE_INFINITY),
  };
  const states = new Map<string, HostState>();
  for (const h of hosts) states.set(h.id, new HostState(h, constraints, ask));

  const remove: RemovedReplica[] = [];
  const kept = new Set<CurrentReplica>();
  /** slots whose replica had to go for its host: a replacement takes the same slot */
  const freed = new Set<number>();
  const drop = (r: CurrentReplica, reason: RemovalReason, message: string) => {
    const st = states.get(r.hostId);
    remove.push({ id: r.id, slot: r.slot, hostId: r.hostId, host: st?.name ?? null, reason, message });
    if (st && st.replicas > 0 && kept.has(r)) {
      st.replicas--;
      if (r.running) st.containers = Math.max(0, st.containers - 1);
    }
    kept.delete(r);
  };

  // 1. Replicas on hosts that may not keep them go; of two in one slot (one per host in global
  // mode) the running one stays.
  const seen = new Set<number | string>();
  const order = global
    ? (a: CurrentReplica, b: CurrentReplica) => byText(a.hostId, b.hostId) || Number(b.running) - Number(a.running) || a.slot - b.slot || byText(a.id, b.id)
    : (a: CurrentReplica, b: CurrentReplica) => a.slot - b.slot || Number(b.running) - Number(a.running) || byText(a.id, b.id);
  for (const r of [...replicas].sort(order)) {
    const st = states.get(r.hostId);
    if (!st) {
      drop(r, 'host-gone', `the host ${r.hostId} is no longer in the fleet`);
      freed.add(r.slot);
    } else if (!st.available) {
      drop(r, 'host-unavailable', st.statusMessage());
      freed.add(r.slot);
    } else if (!st.canKeep) {
      drop(r, 'constraints', `${st.name}: ${st.unmet.join('; ')}`);
      freed.add(r.slot);
    } else if (seen.has(global ? r.hostId : r.slot)) {
      drop(r, 'duplicate', global ? `${st.name}: the service already has a replica on this host` : `slot ${r.slot} already has a replica`);
    } else {
      seen.add(global ? r.hostId : r.slot);
      kept.add(r);
      st.replicas++;
    }
  }

  if (!global) {
    trimToMaxPerHost(kept, states, ask.maxPerHost, (r, msg) => {
      drop(r, 'max-replicas', msg);
      freed.add(r.slot);
    });
    if (kept.size > want) scaleDown(kept, states, kept.size - want, (r) => drop(r, 'scale-down', `scale down to ${want} replicas`));
  }

  const taken = new Set([...kept].map((r) => r.slot));
  const place: NewReplica[] = [];
  let unplaced: Unplaced | null = null;
  const sorted = () => [...states.values()].sort(byName);

  if (!global) {
    const slots = newSlots(Math.max(0, want - kept.size), taken, freed);
    const tree = new SpreadTree([...states.values()].filter((s) => s.canKeep), labels, service.placement.strategy);
    for (const slot of slots) {
      const st = tree.next();
      if (!st) break;
      place.push({ slot, hostId: st.host.id, host: st.name });
    }
    if (place.length < slots.length) {
      const refusals = sorted().map((s) => s.refusal()).filter((r): r is HostRefusal => r !== null);
      const left = slots.slice(place.length);
      unplaced = { count: left.length, slots: left, hosts: refusals, summary: `no suitable host (${refusalCounts(refusals)})` };
    }
  } else {
    // every online host that satisfies the constraints gets one; those that should and cannot
    // (degraded, or short of resources) are explained
    const refusals: HostRefusal[] = [];
    const targets = sorted().filter((s) => s.canKeep && s.replicas === 0);
    const slots = newSlots(targets.length, taken, new Set());
    let next = 0;
    for (const st of targets) {
      const refusal = st.refusal();
      if (refusal) {
        refusals.push(refusal);
        continue;
      }
      st.replicas++;
      st.containers++;
      place.push({ slot: slots[next++]!, hostId: st.host.id, host: st.name });
    }
    if (refusals.length) {
      const n = refusals.length;
      unplaced = { count: n, slots: [], hosts: refusals, summary: `${n === 1 ? '1 host that should run a replica has' : `${n} hosts that should run a replica have`} none (${refusalCounts(refusals)})` };
    }
  }

  const keep = [...kept].sort((a, b) => a.slot - b.slot || byText(a.id, b.id)).map((r) => ({ id: r.id, slot: r.slot, hostId: r.hostId, host: states.get(r.hostId)!.name }));
  place.sort((a, b) => a.slot - b.slot);
  remove.sort((a, b) => a.slot - b.slot || byText(a.id, b.id));
  return { keep, remove, place, unplaced };
}

/** Hosts over maxReplicasPerHost (lowered since) give up their extras: not running first, then the highest slots. */
function trimToMaxPerHost(kept: Set<CurrentReplica>, states: Map<string, HostState>, max: number, drop: (r: CurrentReplica, message: string) => void): void {
  if (!Number.isFinite(max)) return;
  const byHost = new Map<string, CurrentReplica[]>();
  for (const r of kept) {
    const list = byHost.get(r.hostId);
    if (list) list.push(r);
    else byHost.set(r.hostId, [r]);
  }
  for (const [hostId, list] of byHost) {
    if (list.length <= max) continue;
    list.sort((a, b) => Number(a.running) - Number(b.running) || b.slot - a.slot);
    const name = states.get(hostId)!.name;
    for (const r of list.slice(0, list.length - max)) drop(r, `${name}: max replicas per host (${max}) exceeded`);
  }
}

/**
 * Removes `n` replicas: those not running first, then those on degraded hosts, then one at a
 * time from the host with the most replicas of the service (then the most containers), highest
 * slot first. O(replicas log hosts).
 */
function scaleDown(kept: Set<CurrentReplica>, states: Map<string, HostState>, n: number, drop: (r: CurrentReplica) => void): void {
  const highestFirst = (a: CurrentReplica, b: CurrentReplica) => b.slot - a.slot;
  const all = [...kept];
  for (const r of all.filter((r) => !r.running).sort(highestFirst)) {
    if (n === 0) return;
    drop(r);
    n--;
  }
  for (const r of all.filter((r) => kept.has(r) && !states.get(r.hostId)!.online).sort(highestFirst)) {
    if (n === 0) return;
    drop(r);
    n--;
  }
  const byHost = new Map<HostState, CurrentReplica[]>();
  for (const r of kept) {
    const st = states.get(r.hostId)!;
    const list = byHost.get(st);
    if (list) list.push(r);
    else byHost.set(st, [r]);
  }
  for (const list of byHost.values()) list.sort((a, b) => a.slot - b.slot);
  const mostLoaded = new Heap<HostState>(
    (a, b) => (b.replicas - a.replicas || b.containers - a.containers || byName(b, a)) < 0,
    byHost.keys(),
  );
  while (n > 0) {
    const st = mostLoaded.pop();
    if (!st) return;
    const list = byHost.get(st)!;
    drop(list.pop()!);
    n--;
    if (list.length) mostLoaded.push(st);
  }
}
