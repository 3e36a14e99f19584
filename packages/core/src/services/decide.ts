// The reconciler's decisions for one service, from what is desired and what is observed, with
// no I/O: the same inputs give the same actions, so every rule here is unit-tested without a
// fleet. reconciler.ts gathers the inputs and carries the actions out.
import type { ServiceSpec } from '@berth/protocol';
import type { ObservedHost, ObservedReplica } from './observe.ts';

export interface ReplicaRow {
  id: string;
  slot: number;
  hostId: string;
  template: string;
  version: number;
  containerName: string;
  containerId: string | null;
  desired: string;
  state: string;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  readyAt: Date | null;
}

export interface ServiceState {
  id: string;
  name: string;
  stack: string | null;
  /** the team that owns it: its replicas run only on that team's hosts, with its secrets */
  team: { id: string; name: string };
  version: number;
  spec: ServiceSpec;
  template: string;
  updateState: string | null;
  updateFailures: number;
  /** when the last batch of an update started (in memory: a restart just waits one delay less) */
  lastBatchAt: number;
}

export interface DecideOptions {
  now: number;
  /** how long a host may be offline before its replicas are started elsewhere */
  rescheduleAfterMs: number;
  /** how long a replica may take from its row to its container being seen */
  createGraceMs: number;
  /** failed replicas kept per slot for `service ps` and their logs */
  historyPerSlot: number;
  /**
   * when the reconciler began watching: after a control plane restart every host looks long
   * silent, so an offline host's grace period counts from here at the earliest
   */
  watchingSince?: number;
}

/** The scheduler, as the reconciler sees it for one service. */
export interface Placer {
  /** whether a replica may stay on (or, for a global service, go to) the host: online and satisfying the placement */
  eligible(hostId: string): boolean;
  /** hosts for new replicas of these slots, given where the live ones are; why when some fit nowhere */
  place(slots: { slot: number; hostId?: string }[], live: { slot: number; hostId: string }[]): { placed: { slot: number; hostId: string }[]; unplaced: number; why: string };
}

export interface Decision {
  /** observed facts written back to replica rows */
  sync: { id: string; state: string; containerId?: string | null; readyAt?: Date | null; desired?: string; error?: string | null }[];
  /** replicas to stop and remove, with the reason for the timeline */
  remove: { replica: ReplicaRow; reason: string; deleteRow: boolean }[];
  create: { slot: number; hostId: string }[];
  events: { kind: string; message: string; hostId?: string }[];
  /** newly failed replicas of the version being rolled out */
  updateFailures: number;
  updateState?: { state: string | null; reason: string | null };
  /** the failure action asks for the previous version */
  rollback?: string;
  batchStarted: boolean;
  /** replicas still missing and why (the scheduler's explanation) */
  unplaced?: string;
}

const FAILED = new Set(['exited', 'dead', 'gone', 'failed']);
/**
 * A host's inventory is stamped when the control plane stores it, but the agent took it a moment
 * before: one in flight while a replica was made can arrive after the replica's row changed and
 * still not list it. Only an inventory this much younger than the row says the container is gone
 * (agents send one ~300 ms after each change, so a real loss is still seen within seconds).
 */
const INVENTORY_LAG_MS = 2_000;

/** Whether a replica counts as up: running, and healthy when it has a healthcheck. */
export const isReady = (o: ObservedReplica | undefined): boolean => !!o && o.state === 'running' && (o.health === null || o.health === 'healthy');

export function decideService(
  svc: ServiceState,
  rows: ReplicaRow[],
  observed: Map<string, ObservedReplica>,
  hosts: Map<string, ObservedHost>,
  place: Placer,
  dependenciesReady: boolean,
  o: DecideOptions,
): Decision {
  const d: Decision = { sync: [], remove: [], create: [], events: [], updateFailures: 0, batchStarted: false };
  const hostName = (id: string) => hosts.get(id)?.name ?? id;
  const updating = svc.updateState === 'updating' || svc.updateState === 'rollback_started';
  const live: ReplicaRow[] = [];
  const history: ReplicaRow[] = [];
  const pendingRemoval = new Set<number>();

  for (const r of rows) {
    const seen = observed.get(r.id);
    const host = hosts.get(r.hostId);
    const hostUp = !!host && (host.status === 'online' || host.status === 'degraded');
    if (r.desired === 'shutdown') {
      if (!seen && hostUp && (host.inventoryAt?.getTime() ?? 0) > r.updatedAt.getTime()) {
        d.remove.push({ replica: r, reason: 'gone', deleteRow: true });
      } else if (hostUp) {
        d.remove.push({ replica: r, reason: 'shutting down', deleteRow: true });
        pendingRemoval.add(r.slot);
      }
      continue;
    }
    if (r.desired === 'history') {
      history.push(r);
      continue;
    }
    // desired running: what is it doing?
    let state = r.state;
    let readyAt = r.readyAt;
    if (seen) {
      ({ state, readyAt } = observedState(r, seen, o.now));
    } else if (hostUp && r.state !== 'new' && (host.inventoryAt?.getTime() ?? 0) > r.updatedAt.getTime() + INVENTORY_LAG_MS) {
      // the host reported its containers after we last saw this one, without it
      state = 'gone';
    } else if (hostUp && r.state === 'new' && o.now - r.createdAt.getTime() > o.createGraceMs) {
      // made by a reconciler that died before it could say so, and not there: try again
      state = 'gone';
    }
    if (state !== r.state || readyAt?.getTime() !== r.readyAt?.getTime() || (seen && seen.containerId !== r.containerId)) {
      d.sync.push({ id: r.id, state, readyAt, ...(seen ? { containerId: seen.containerId } : {}) });
    }
    const offlineFor = o.now - Math.max(host?.lastSeenAt?.getTime() ?? 0, o.watchingSince ?? 0);
    if (!hostUp && offlineFor > o.rescheduleAfterMs) {
      d.remove.push({ replica: r, reason: `host ${hostName(r.hostId)} offline`, deleteRow: false });
      d.sync.push({ id: r.id, state, desired: 'shutdown' });
      d.events.push({ kind: 'moved', message: `${r.containerName}: host ${hostName(r.hostId)} has been offline for ${Math.round(offlineFor / 1000)} s; starting the replica elsewhere`, hostId: r.hostId });
      continue;
    }
    if (FAILED.has(state) || state === 'unhealthy') {
      const why = state === 'unhealthy' ? 'unhealthy' : state === 'gone' ? 'its container is gone' : state === 'failed' ? `failed: ${r.error ?? 'unknown error'}` : `exited${seen?.exitCode !== null && seen?.exitCode !== undefined ? ` (${seen.exitCode})` : ''}`;
      d.events.push({ kind: 'replaced', message: `${r.containerName} on ${hostName(r.hostId)} ${why}: replacing it`, hostId: r.hostId });
      if (r.template === svc.template && updating) d.updateFailures++;
      if (state === 'unhealthy' || state === 'gone') {
        // an unhealthy container still holds its ports: it goes, as swarm replaces unhealthy tasks
        d.sync.push({ id: r.id, state, desired: 'shutdown' });
        if (state === 'unhealthy') d.remove.push({ replica: r, reason: 'unhealthy', deleteRow: true });
        pendingRemoval.add(r.slot);
      } else {
        d.sync.push({ id: r.id, state, desired: 'history' });
        history.push({ ...r, state, desired: 'history' });
      }
      continue;
    }
    live.push({ ...r, state, readyAt });
  }

  // keep a few failed replicas per slot (their logs tell why), drop the rest
  const bySlotHistory = new Map<number, ReplicaRow[]>();
  for (const r of history) {
    const list = bySlotHistory.get(r.slot);
    if (list) list.push(r);
    else bySlotHistory.set(r.slot, [r]);
  }
  for (const list of bySlotHistory.values()) {
    list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    for (const r of list.slice(o.historyPerSlot)) {
      if (hosts.get(r.hostId)?.status === 'online' || !hosts.has(r.hostId)) d.remove.push({ replica: r, reason: 'history', deleteRow: true });
    }
  }

  const spec = svc.spec;
  const proven = (r: ReplicaRow) => !!r.readyAt && o.now - r.readyAt.getTime() >= spec.update.monitorMs;
  const better = (a: ReplicaRow, b: ReplicaRow) => Number(!!b.readyAt) - Number(!!a.readyAt) || a.createdAt.getTime() - b.createdAt.getTime();

  // slots: 1..n for replicated services; for global ones, one per host (slot 0, keyed by host)
  const mode = spec.mode;
  const global = mode.mode === 'global';
  const keyOf = (r: { slot: number; hostId: string }) => (global ? r.hostId : String(r.slot));
  const groups = new Map<string, ReplicaRow[]>();
  for (const r of live) {
    const list = groups.get(keyOf(r));
    if (list) list.push(r);
    else groups.set(keyOf(r), [r]);
  }

  let wanted: { slot: number; hostId?: string }[];
  if (mode.mode === 'global') {
    wanted = [...hosts.keys()].filter((hostId) => place.eligible(hostId)).map((hostId) => ({ slot: 0, hostId }));
  } else {
    const n = mode.replicas;
    wanted = Array.from({ length: n }, (_, i) => ({ slot: i + 1 }));
  }
  const wantedKeys = new Set(wanted.map((w) => (global ? w.hostId! : String(w.slot))));

  const keep: ReplicaRow[] = [];
  const outdated: { key: string; slot: number; old: ReplicaRow[] }[] = [];
  const empty: { slot: number; hostId?: string }[] = [];
  for (const [key, group] of groups) {
    if (!wantedKeys.has(key)) {
      for (const r of group) d.remove.push({ replica: r, reason: global ? 'host no longer eligible' : 'scaled down', deleteRow: true });
      continue;
    }
    const current = group.filter((r) => r.template === svc.template).sort(better);
    const old = group.filter((r) => r.template !== svc.template);
    for (const extra of current.slice(1)) d.remove.push({ replica: extra, reason: 'duplicate', deleteRow: true });
    if (current[0]) {
      keep.push(current[0]);
      // start-first: the old replica goes once the new one has proven itself
      if (old.length && (proven(current[0]) || spec.update.order === 'stop-first')) for (const r of old) d.remove.push({ replica: r, reason: `replaced by ${current[0].containerName}`, deleteRow: true });
    } else if (old.length) {
      keep.push(...old);
      outdated.push({ key, slot: old[0]!.slot, old });
    }
  }
  for (const w of wanted) if (!groups.has(global ? w.hostId! : String(w.slot))) empty.push(w);

  // replicas on hosts that no longer satisfy the placement are moved (replicated services)
  if (!global) {
    for (const r of keep) {
      const host = hosts.get(r.hostId);
      // a host that is merely away keeps its replicas until rescheduleAfterMs (above)
      if (host && host.status === 'online' && !place.eligible(r.hostId) && r.template === svc.template) {
        d.remove.push({ replica: r, reason: `host ${hostName(r.hostId)} no longer satisfies the placement`, deleteRow: true });
        d.events.push({ kind: 'moved', message: `${r.containerName}: host ${hostName(r.hostId)} no longer satisfies the placement; moving it`, hostId: r.hostId });
        pendingRemoval.add(r.slot);
      }
    }
  }

  // new replicas for empty slots, once the services it depends on are up
  const toFill = empty.filter((w) => global || !pendingRemoval.has(w.slot));
  if (toFill.length && !dependenciesReady) {
    d.events.push({ kind: 'waiting', message: `waiting for ${spec.dependsOn.map((x) => x.service).join(', ')} before starting replicas` });
  } else if (toFill.length) {
    const result = place.place(toFill, keep.map((r) => ({ slot: r.slot, hostId: r.hostId })));
    d.create.push(...result.placed);
    if (result.unplaced > 0) d.unplaced = result.why;
  }

  // the rolling update: replace outdated slots a batch at a time
  const failureLimit = Math.floor(spec.update.maxFailureRatio * Math.max(1, wanted.length));
  const failures = svc.updateFailures + d.updateFailures;
  if (updating && failures > failureLimit && spec.update.failureAction !== 'continue') {
    const why = `${failures} replica${failures === 1 ? '' : 's'} of version ${svc.version} failed`;
    if (svc.updateState === 'updating' && spec.update.failureAction === 'rollback') d.rollback = why;
    else d.updateState = { state: svc.updateState === 'updating' ? 'paused' : 'rollback_paused', reason: why };
    return d;
  }
  const paused = svc.updateState === 'paused' || svc.updateState === 'rollback_paused';
  if (outdated.length && !paused) {
    if (!updating) d.updateState = { state: 'updating', reason: null };
    const inFlight = live.filter((r) => r.template === svc.template && !proven(r)).length + d.create.length;
    const room = spec.update.parallelism === 0 ? outdated.length : spec.update.parallelism - inFlight;
    if (room > 0 && o.now - svc.lastBatchAt >= spec.update.delayMs) {
      outdated.sort((a, b) => a.slot - b.slot);
      for (const slot of outdated.slice(0, room)) {
        d.batchStarted = true;
        if (spec.update.order === 'stop-first') {
          for (const r of slot.old) d.remove.push({ replica: r, reason: 'updating', deleteRow: true });
        } else {
          // the old replica still holds its host (and its published ports) meanwhile
          const result = place.place([global ? { slot: 0, hostId: slot.old[0]!.hostId } : { slot: slot.slot }], keep.map((r) => ({ slot: r.slot, hostId: r.hostId })));
          d.create.push(...result.placed);
        }
      }
    }
  } else if (updating && !outdated.length && live.every((r) => r.template !== svc.template || proven(r)) && d.create.length === 0) {
    d.updateState = { state: svc.updateState === 'updating' ? 'completed' : 'rollback_completed', reason: null };
  }
  return d;
}

/** A replica's state and readiness as its container on the host shows them. */
export function observedState(r: Pick<ReplicaRow, 'readyAt'>, seen: ObservedReplica, now: number): { state: string; readyAt: Date | null } {
  const state = seen.health === 'unhealthy' ? 'unhealthy' : seen.state;
  if (!isReady(seen)) return { state, readyAt: null };
  return { state, readyAt: r.readyAt ?? new Date(now) };
}

/**
 * What may be written of a service whose actions are still under way: only the states of
 * replicas seen on their hosts (so `service ls` counts them as they start), nothing decided
 * from absence, which may just be an action not carried out yet.
 */
export function syncSeen(rows: ReplicaRow[], byReplica: Map<string, ObservedReplica>, now: number): Decision['sync'] {
  const out: Decision['sync'] = [];
  for (const r of rows) {
    const seen = byReplica.get(r.id);
    if (r.desired !== 'running' || !seen) continue;
    const { state, readyAt } = observedState(r, seen, now);
    if (state !== r.state || readyAt?.getTime() !== r.readyAt?.getTime() || seen.containerId !== r.containerId) out.push({ id: r.id, state, readyAt, containerId: seen.containerId });
  }
  return out;
}
