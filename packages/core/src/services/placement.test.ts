import { describe, expect, it } from 'vitest';
import { ServiceSpec, type ServiceSpecInput } from '@berth/protocol';
import { decideService, type ReplicaRow, type ServiceState } from './decide.ts';
import type { ObservedHost, ObservedReplica } from './observe.ts';
import { fleetLoad, placerFor } from './placement.ts';
import { templateOf } from './spec.ts';

const NOW = 1_000_000_000;
const opts = { now: NOW, rescheduleAfterMs: 30_000, createGraceMs: 10_000, historyPerSlot: 2 };
const A = { id: 'team-a', name: 'a' };
const B = { id: 'team-b', name: 'b' };
const C = { id: 'team-c', name: 'c' };

const host = (id: string, teamId: string): ObservedHost => ({
  id, name: id, teamId, status: 'online', labels: {}, facts: { os: 'linux', architecture: 'x86_64', cpus: 4, memoryBytes: 8 << 30 } as ObservedHost['facts'], lastSeenAt: new Date(NOW), inventoryAt: new Date(NOW),
});
// a fleet of two teams, interleaved so that spreading over all hosts would use b's
const fleet = [host('a1', A.id), host('b1', B.id), host('a2', A.id), host('b2', B.id)];
const noLoad = fleetLoad([], []);
const never = () => null;

function service(team: { id: string; name: string }, input: Partial<ServiceSpecInput> = {}): ServiceState {
  const spec = ServiceSpec.parse({ name: 'web', image: 'busybox', container: {}, ...input });
  return { id: 's1', name: 'web', stack: null, team, version: 1, spec, template: templateOf(spec), updateState: null, updateFailures: 0, lastBatchAt: 0 };
}

const running = (slot: number, hostId: string, template: string): ReplicaRow => ({
  id: `r${slot}`, slot, hostId, template, version: 1, containerName: `web.${slot}.x`, containerId: `c${slot}`, desired: 'running', state: 'running',
  error: null, createdAt: new Date(NOW - 60_000), updatedAt: new Date(NOW - 60_000), readyAt: new Date(NOW - 60_000),
});
const seen = (r: ReplicaRow): [string, ObservedReplica] => [r.id, { hostId: r.hostId, containerId: r.containerId!, name: r.containerName, state: 'running', exitCode: null, health: null, serviceId: 's1', replicaId: r.id }];

describe('placement within the service\'s team', () => {
  it('places a team\'s replicas only on that team\'s hosts', () => {
    const svc = service(A, { mode: { mode: 'replicated', replicas: 4 } });
    const d = decideService(svc, [], new Map(), new Map(fleet.map((h) => [h.id, h])), placerFor(svc.spec, A, fleet, noLoad, [], never), true, opts);
    expect(d.create.map((c) => c.hostId).sort()).toEqual(['a1', 'a1', 'a2', 'a2']);
    expect(d.unplaced).toBeUndefined();
    const g = service(B, { mode: { mode: 'global' } });
    const dg = decideService(g, [], new Map(), new Map(fleet.map((h) => [h.id, h])), placerFor(g.spec, B, fleet, noLoad, [], never), true, opts);
    expect(dg.create.map((c) => c.hostId).sort()).toEqual(['b1', 'b2']);
  });

  it('says which team has no host, and which team\'s hosts do not fit', () => {
    const svc = service(C, { mode: { mode: 'replicated', replicas: 1 } });
    const d = decideService(svc, [], new Map(), new Map(fleet.map((h) => [h.id, h])), placerFor(svc.spec, C, fleet, noLoad, [], never), true, opts);
    expect(d.create).toEqual([]);
    expect(d.unplaced).toBe("no suitable host (team c has no hosts: a service runs only on its team's hosts)");
    const big = service(A, { mode: { mode: 'replicated', replicas: 1 }, reservations: { cpus: 16, memoryBytes: 0 } });
    const d2 = decideService(big, [], new Map(), new Map(fleet.map((h) => [h.id, h])), placerFor(big.spec, A, fleet, noLoad, [], never), true, opts);
    expect(d2.unplaced?.split('\n')[0]).toBe('no suitable host of team a (insufficient resources on 2 hosts)');
  });

  it('moves a replica off a host that went to another team, as off a host that no longer meets the constraints', () => {
    const svc = service(A, { mode: { mode: 'replicated', replicas: 2 } });
    // b1 was team a's when the replica was placed there (`berth host move b1 b` since)
    const rows = [running(1, 'a1', svc.template), running(2, 'b1', svc.template)];
    const own = rows.map((r) => ({ hostId: r.hostId }));
    const d = decideService(svc, rows, new Map(rows.map(seen)), new Map(fleet.map((h) => [h.id, h])), placerFor(svc.spec, A, fleet, fleetLoad([], []), own, never), true, opts);
    expect(d.remove.map((r) => [r.replica.hostId, r.reason])).toEqual([['b1', 'host b1 no longer satisfies the placement']]);
    expect(d.events.some((e) => e.kind === 'moved' && e.hostId === 'b1')).toBe(true);
    // a global service's replica there is removed, and none is made on b's hosts
    const g = service(A, { mode: { mode: 'global' } });
    const grows = [{ ...running(0, 'a1', g.template), id: 'g1' }, { ...running(0, 'b1', g.template), id: 'g2' }, { ...running(0, 'a2', g.template), id: 'g3' }];
    const dg = decideService(g, grows, new Map(grows.map(seen)), new Map(fleet.map((h) => [h.id, h])), placerFor(g.spec, A, fleet, noLoad, grows, never), true, opts);
    expect(dg.remove.map((r) => r.replica.hostId)).toEqual(['b1']);
    expect(dg.create).toEqual([]);
  });
});
