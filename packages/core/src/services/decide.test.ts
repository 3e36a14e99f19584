import { describe, expect, it } from 'vitest';
import { ServiceSpec, type ServiceSpecInput } from '@berth/protocol';
import { decideService, syncSeen, type Placer, type ReplicaRow, type ServiceState } from './decide.ts';
import type { ObservedHost, ObservedReplica } from './observe.ts';
import { templateOf } from './spec.ts';

const NOW = 1_000_000_000;
const opts = { now: NOW, rescheduleAfterMs: 30_000, createGraceMs: 10_000, historyPerSlot: 2 };

const host = (id: string, status = 'online', seenAgoMs = 0): ObservedHost => ({
  id, name: id, teamId: 't1', status, labels: {}, facts: null, lastSeenAt: new Date(NOW - seenAgoMs), inventoryAt: new Date(NOW - 500),
});
const hostsOf = (...h: ObservedHost[]) => new Map(h.map((x) => [x.id, x]));

function service(input: Partial<ServiceSpecInput> = {}, extra: Partial<ServiceState> = {}): ServiceState {
  const spec = ServiceSpec.parse({ name: 'web', image: 'busybox', container: {}, ...input });
  return { id: 's1', name: 'web', stack: null, team: { id: 't1', name: 'default' }, version: 1, spec, template: templateOf(spec), updateState: null, updateFailures: 0, lastBatchAt: 0, ...extra };
}

let n = 0;
function replica(slot: number, hostId: string, template: string, o: Partial<ReplicaRow> = {}): ReplicaRow {
  n++;
  return {
    id: `r${n}`, slot, hostId, template, version: 1, containerName: `web.${slot}.${n}`, containerId: `c${n}`, desired: 'running', state: 'running',
    error: null, createdAt: new Date(NOW - 60_000), updatedAt: new Date(NOW - 60_000), readyAt: new Date(NOW - 60_000), ...o,
  };
}
const seen = (r: ReplicaRow, o: Partial<ObservedReplica> = {}): [string, ObservedReplica] => [r.id, {
  hostId: r.hostId, containerId: r.containerId ?? r.id, name: r.containerName, state: 'running', exitCode: null, health: null, serviceId: 's1', replicaId: r.id, ...o,
}];

/** Fewest replicas first, then name; hosts named in `ineligible` take none. */
function spreadPlacer(hosts: ObservedHost[], ineligible: string[] = []): Placer {
  const ok = (id: string) => hosts.some((h) => h.id === id && h.status === 'online') && !ineligible.includes(id);
  return {
    eligible: ok,
    place(slots, live) {
      const count = new Map<string, number>();
      for (const r of live) count.set(r.hostId, (count.get(r.hostId) ?? 0) + 1);
      const placed = [];
      for (const s of slots) {
        const best = hosts.filter((h) => ok(h.id) && (!s.hostId || s.hostId === h.id)).sort((a, b) => (count.get(a.id) ?? 0) - (count.get(b.id) ?? 0) || a.id.localeCompare(b.id))[0];
        if (!best) continue;
        count.set(best.id, (count.get(best.id) ?? 0) + 1);
        placed.push({ slot: s.slot, hostId: best.id });
      }
      return { placed, unplaced: slots.length - placed.length, why: 'no suitable host' };
    },
  };
}

describe('decideService', () => {
  const h = [host('h1'), host('h2'), host('h3')];

  it('a replica missing from an inventory that may have been taken before it was made is not called gone', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } });
    // the row changed 1 s before the inventory arrived: that snapshot may predate the container
    const fresh = replica(1, 'h1', s.template, { state: 'created', updatedAt: new Date(NOW - 1_500) });
    const d1 = decideService(s, [fresh], new Map(), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d1.events).toEqual([]);
    expect(d1.create).toEqual([]);
    // an inventory well after the row's change, without it: gone, and replaced
    const old = replica(1, 'h1', s.template, { state: 'running', updatedAt: new Date(NOW - 10_000) });
    const d2 = decideService(s, [old], new Map(), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d2.events.map((e) => e.message)).toEqual([`${old.containerName} on h1 its container is gone: replacing it`]);
  });

  it('creates the missing slots, spread over the hosts', () => {
    const d = decideService(service({ mode: { mode: 'replicated', replicas: 3 } }), [], new Map(), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.create).toEqual([{ slot: 1, hostId: 'h1' }, { slot: 2, hostId: 'h2' }, { slot: 3, hostId: 'h3' }]);
    expect(d.remove).toEqual([]);
  });

  it('leaves a converged service alone', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 2 } });
    const rows = [replica(1, 'h1', s.template), replica(2, 'h2', s.template)];
    const d = decideService(s, rows, new Map(rows.map((r) => seen(r))), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.create).toEqual([]);
    expect(d.remove).toEqual([]);
    expect(d.events).toEqual([]);
  });

  it('keeps an exited replica as history and starts another in its slot', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } });
    const r = replica(1, 'h1', s.template);
    const d = decideService(s, [r], new Map([seen(r, { state: 'exited', exitCode: 3 })]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.sync).toContainEqual(expect.objectContaining({ id: r.id, desired: 'history' }));
    expect(d.events[0]!.message).toMatch(/exited \(3\): replacing it/);
    expect(d.create).toHaveLength(1);
  });

  it('waits for an offline host for the grace period, then starts its replica elsewhere', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } });
    const r = replica(1, 'h1', s.template);
    const early = [host('h1', 'offline', 5_000), host('h2')];
    expect(decideService(s, [r], new Map(), hostsOf(...early), spreadPlacer(early), true, opts).create).toEqual([]);
    const late = [host('h1', 'offline', 60_000), host('h2')];
    const d = decideService(s, [r], new Map(), hostsOf(...late), spreadPlacer(late), true, opts);
    expect(d.sync).toContainEqual(expect.objectContaining({ id: r.id, desired: 'shutdown' }));
    expect(d.create).toEqual([{ slot: 1, hostId: 'h2' }]);
  });

  it('scales down from the highest slots', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } });
    const rows = [replica(1, 'h1', s.template), replica(2, 'h2', s.template)];
    const d = decideService(s, rows, new Map(rows.map((r) => seen(r))), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.remove.map((x) => [x.replica.slot, x.reason])).toEqual([[2, 'scaled down']]);
  });

  it('rolls out stop-first one slot at a time, starting the update', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 2 } });
    const rows = [replica(1, 'h1', 'old'), replica(2, 'h2', 'old')];
    const d = decideService(s, rows, new Map(rows.map((r) => seen(r))), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.updateState).toEqual({ state: 'updating', reason: null });
    expect(d.remove.map((x) => [x.replica.slot, x.reason])).toEqual([[1, 'updating']]);
    expect(d.create).toEqual([]);
  });

  it('rolls out start-first: the new replica first, the old one once the new has proven itself', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 }, update: { order: 'start-first', monitorMs: 5000 } }, { updateState: 'updating' });
    const old = replica(1, 'h1', 'old');
    const first = decideService(s, [old], new Map([seen(old)]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(first.create).toEqual([{ slot: 1, hostId: 'h2' }]);
    expect(first.remove).toEqual([]);
    const young = replica(1, 'h2', s.template, { readyAt: new Date(NOW - 1000) });
    expect(decideService(s, [old, young], new Map([seen(old), seen(young)]), hostsOf(...h), spreadPlacer(h), true, opts).remove).toEqual([]);
    const proven = { ...young, readyAt: new Date(NOW - 6000) };
    const done = decideService(s, [old, proven], new Map([seen(old), seen(proven)]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(done.remove.map((x) => x.replica.id)).toEqual([old.id]);
  });

  it('asks for a rollback when a replica of the new version fails, and pauses a failing rollback', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 2 } }, { updateState: 'updating' });
    const bad = replica(1, 'h1', s.template, { readyAt: null });
    const old = replica(2, 'h2', 'old');
    const d = decideService(s, [bad, old], new Map([seen(bad, { state: 'exited', exitCode: 127 }), seen(old)]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.rollback).toMatch(/1 replica of version 1 failed/);
    const back = decideService({ ...s, updateState: 'rollback_started' }, [bad, old], new Map([seen(bad, { state: 'exited', exitCode: 127 }), seen(old)]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(back.rollback).toBeUndefined();
    expect(back.updateState).toEqual({ state: 'rollback_paused', reason: expect.stringMatching(/failed/) });
  });

  it('does not count a new replica as updated until it is healthy', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } }, { updateState: 'updating' });
    const r = replica(1, 'h1', s.template, { readyAt: null });
    const starting = decideService(s, [r], new Map([seen(r, { health: 'starting' })]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(starting.updateState).toBeUndefined();
    const unhealthy = decideService(s, [r], new Map([seen(r, { health: 'unhealthy' })]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(unhealthy.remove.map((x) => x.reason)).toEqual(['unhealthy']);
    expect(unhealthy.rollback).toBeDefined();
  });

  it('holds new replicas until the services it depends on are up', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 }, dependsOn: [{ service: 'db', condition: 'service_healthy' }] });
    const d = decideService(s, [], new Map(), hostsOf(...h), spreadPlacer(h), false, opts);
    expect(d.create).toEqual([]);
    expect(d.events[0]!.message).toMatch(/waiting for db/);
  });

  it('runs a global service on every eligible host and leaves the others', () => {
    const s = service({ mode: { mode: 'global' } });
    const d = decideService(s, [], new Map(), hostsOf(...h), spreadPlacer(h, ['h2']), true, opts);
    expect(d.create.map((c) => c.hostId).sort()).toEqual(['h1', 'h3']);
  });

  it('says why when replicas fit nowhere', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 2 } });
    const d = decideService(s, [], new Map(), hostsOf(host('h1', 'offline', 100_000)), spreadPlacer([host('h1', 'offline', 100_000)]), true, opts);
    expect(d.create).toEqual([]);
    expect(d.unplaced).toBe('no suitable host');
  });

  it('keeps two failed replicas per slot for their logs and removes older ones', () => {
    const s = service({ mode: { mode: 'replicated', replicas: 1 } });
    const live = replica(1, 'h1', s.template);
    const hist = [1, 2, 3].map((i) => replica(1, 'h1', s.template, { desired: 'history', state: 'exited', createdAt: new Date(NOW - i * 1000) }));
    const d = decideService(s, [live, ...hist], new Map([seen(live)]), hostsOf(...h), spreadPlacer(h), true, opts);
    expect(d.remove.map((x) => x.replica.id)).toEqual([hist[2]!.id]);
  });
});

describe('syncSeen (a service whose actions still run)', () => {
  it('records the replicas seen on their hosts, and nothing about the ones not there yet', () => {
    const t = templateOf(service().spec);
    const started = replica(1, 'h1', t, { state: 'new', containerId: null, readyAt: null, createdAt: new Date(NOW - 60_000) });
    const queued = replica(2, 'h2', t, { state: 'new', containerId: null, readyAt: null, createdAt: new Date(NOW - 60_000) });
    const leaving = replica(3, 'h3', t, { desired: 'shutdown' });
    const unchanged = replica(4, 'h1', t);
    const sync = syncSeen([started, queued, leaving, unchanged], new Map([seen(started, { containerId: 'abc' }), seen(leaving, { state: 'exited' }), seen(unchanged)]), NOW);
    // the queued one is older than the create grace yet not called gone: its create may still be waiting
    expect(sync).toEqual([{ id: started.id, state: 'running', readyAt: new Date(NOW), containerId: 'abc' }]);
  });
});
