import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { placeService, type CurrentReplica, type PlacementDecision, type SchedulableHost, type ServicePlacement } from './place.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function host(name: string, over: Partial<SchedulableHost> = {}): SchedulableHost {
  return {
    id: `id-${name}`,
    name,
    status: 'online',
    labels: {},
    facts: { os: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', cpus: 4, memoryBytes: 8 * GiB },
    reserved: { cpus: 0, memoryBytes: 0 },
    containers: 0,
    ...over,
  };
}

const hosts = (n: number, over: Partial<SchedulableHost> = {}) => Array.from({ length: n }, (_, i) => host(`h${i + 1}`, over));

function service(over: { replicas?: number; global?: boolean; constraints?: string[]; spread?: string[]; strategy?: 'spread' | 'binpack'; max?: number; cpus?: number; memoryBytes?: number } = {}): ServicePlacement {
  return {
    mode: over.global ? { mode: 'global' } : { mode: 'replicated', replicas: over.replicas ?? 1 },
    placement: {
      constraints: over.constraints ?? [],
      preferences: (over.spread ?? []).map((spread) => ({ spread })),
      strategy: over.strategy ?? 'spread',
      ...(over.max !== undefined ? { maxReplicasPerHost: over.max } : {}),
    },
    reservations: { cpus: over.cpus ?? 0, memoryBytes: over.memoryBytes ?? 0 },
  };
}

const replica = (slot: number, hostName: string, running = true): CurrentReplica => ({ id: `r${slot}-${hostName}`, slot, hostId: `id-${hostName}`, running });

/** Replicas per host name after the decision (kept + placed), hosts with none left out. */
function perHost(d: PlacementDecision): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of [...d.keep, ...d.place]) out[r.host] = (out[r.host] ?? 0) + 1;
  return out;
}

/** The decision's replicas as current replicas: what the reconciler would have after doing it. */
const after = (d: PlacementDecision): CurrentReplica[] => [...d.keep, ...d.place.map((p) => ({ ...p, id: `new${p.slot}` }))].map((r) => ({ id: r.id, slot: r.slot, hostId: r.hostId, running: true }));

describe('replicated mode, spread', () => {
  it('spreads evenly, breaking ties by fewest containers then by name', () => {
    const d = placeService(service({ replicas: 10 }), hosts(4), []);
    expect(perHost(d)).toEqual({ h1: 3, h2: 3, h3: 2, h4: 2 });
    expect(d.place.map((p) => p.slot)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(d.unplaced).toBeNull();
    // h1 and h2 already run containers: the odd replicas go to the emptier ones
    const busy = [host('h1', { containers: 5 }), host('h2', { containers: 1 }), host('h3'), host('h4')];
    expect(perHost(placeService(service({ replicas: 6 }), busy, []))).toEqual({ h1: 1, h2: 1, h3: 2, h4: 2 });
  });

  it('keeps every existing replica when scaling up and fills the hosts with fewest replicas', () => {
    const current = [replica(1, 'h1'), replica(2, 'h1'), replica(3, 'h2')];
    const d = placeService(service({ replicas: 6 }), hosts(3), current);
    expect(d.keep.map((r) => r.id)).toEqual(['r1-h1', 'r2-h1', 'r3-h2']);
    expect(d.remove).toEqual([]);
    expect(d.place).toEqual([
      { slot: 4, hostId: 'id-h3', host: 'h3' },
      { slot: 5, hostId: 'id-h2', host: 'h2' },
      { slot: 6, hostId: 'id-h3', host: 'h3' },
    ]);
    expect(perHost(d)).toEqual({ h1: 2, h2: 2, h3: 2 });
  });

  it('changes nothing when the service already has what it asks for', () => {
    const first = placeService(service({ replicas: 7, spread: ['node.labels.zone'] }), hosts(3), []);
    const again = placeService(service({ replicas: 7, spread: ['node.labels.zone'] }), hosts(3), after(first));
    expect(again.place).toEqual([]);
    expect(again.remove).toEqual([]);
    expect(again.keep).toHaveLength(7);
  });

  it('scales down from the most loaded hosts, removing replicas that are not running first', () => {
    const current = [replica(1, 'h1'), replica(2, 'h1'), replica(3, 'h1'), replica(4, 'h2'), replica(5, 'h2'), replica(6, 'h3')];
    const d = placeService(service({ replicas: 3 }), hosts(3), current);
    expect(d.remove.map((r) => [r.id, r.reason, r.message])).toEqual([
      ['r2-h1', 'scale-down', 'scale down to 3 replicas'],
      ['r3-h1', 'scale-down', 'scale down to 3 replicas'],
      ['r5-h2', 'scale-down', 'scale down to 3 replicas'],
    ]);
    expect(perHost(d)).toEqual({ h1: 1, h2: 1, h3: 1 });
    expect(d.place).toEqual([]);

    const failing = [replica(1, 'h1'), replica(2, 'h1'), replica(3, 'h2', false)];
    expect(placeService(service({ replicas: 2 }), hosts(3), failing).remove.map((r) => r.id)).toEqual(['r3-h2']);
    expect(placeService(service({ replicas: 0 }), hosts(3), current).keep).toEqual([]);
  });

  it('places 0 replicas and keeps a duplicate slot’s running replica only', () => {
    expect(placeService(service({ replicas: 0 }), hosts(2), [])).toEqual({ keep: [], remove: [], place: [], unplaced: null });
    const d = placeService(service({ replicas: 1 }), hosts(2), [replica(1, 'h1', false), replica(1, 'h2', true)]);
    expect(d.keep.map((r) => r.id)).toEqual(['r1-h2']);
    expect(d.remove.map((r) => [r.id, r.reason, r.message])).toEqual([['r1-h1', 'duplicate', 'slot 1 already has a replica']]);
  });

  it('is the same whatever order hosts and replicas come in', () => {
    const fleet = Array.from({ length: 30 }, (_, i) => host(`h${String(i).padStart(2, '0')}`, { containers: i % 4, labels: { zone: `z${i % 3}` } }));
    const current = [replica(1, 'h05'), replica(2, 'h07'), replica(3, 'h07'), replica(9, 'h11')];
    const spec = service({ replicas: 40, spread: ['node.labels.zone'] });
    const a = placeService(spec, fleet, current);
    const shuffled = [...fleet].sort((x, y) => (x.name.charCodeAt(2) * 7) % 11 - (y.name.charCodeAt(2) * 7) % 11 || y.name.localeCompare(x.name));
    const b = placeService(spec, shuffled, [...current].reverse());
    expect(b).toEqual(a);
    expect(a.place.map((p) => p.slot)).toEqual([4, 5, 6, 7, 8, ...Array.from({ length: 31 }, (_, i) => i + 10)]);
  });
});

describe('constraints and host status', () => {
  it('places only on hosts satisfying every constraint', () => {
    const fleet = [
      host('h1', { labels: { zone: 'eu' } }),
      host('h2', { labels: { zone: 'us' } }),
      host('h3', { labels: { zone: 'eu' }, facts: { os: 'Debian', architecture: 'arm64', cpus: 4, memoryBytes: 8 * GiB } }),
    ];
    expect(perHost(placeService(service({ replicas: 4, constraints: ['node.labels.zone == eu'] }), fleet, []))).toEqual({ h1: 2, h3: 2 });
    expect(perHost(placeService(service({ replicas: 4, constraints: ['node.labels.zone == eu', 'node.platform.arch == x86_64'] }), fleet, []))).toEqual({ h1: 4 });
    expect(perHost(placeService(service({ replicas: 2, constraints: ['node.hostname != h1', 'node.platform.os == linux'] }), fleet, []))).toEqual({ h2: 1, h3: 1 });
  });

  it('moves only the replicas of offline hosts, each keeping its slot', () => {
    const current = [replica(1, 'h1'), replica(2, 'h2'), replica(3, 'h3'), replica(4, 'h4'), replica(5, 'h2')];
    const fleet = [host('h1'), host('h2', { status: 'offline' }), host('h3'), host('h4'), host('h5')];
    const d = placeService(service({ replicas: 5 }), fleet, current);
    expect(d.keep.map((r) => r.id)).toEqual(['r1-h1', 'r3-h3', 'r4-h4']);
    expect(d.remove.map((r) => [r.id, r.reason, r.message])).toEqual([
      ['r2-h2', 'host-unavailable', 'h2: offline'],
      ['r5-h2', 'host-unavailable', 'h2: offline'],
    ]);
    // the replacements take the freed slots, the first on the empty h5
    expect(d.place).toEqual([
      { slot: 2, hostId: 'id-h5', host: 'h5' },
      { slot: 5, hostId: 'id-h1', host: 'h1' },
    ]);
  });

  it('removes replicas from a host no longer in the fleet or no longer satisfying the constraints', () => {
    const fleet = [host('h1', { labels: { zone: 'eu' } }), host('h2', { labels: { zone: 'us' } }), host('h3', { labels: { zone: 'eu' } })];
    const d = placeService(service({ replicas: 3, constraints: ['node.labels.zone == eu'] }), fleet, [replica(1, 'h1'), replica(2, 'h2'), replica(3, 'gone')]);
    expect(d.remove).toEqual([
      { id: 'r2-h2', slot: 2, hostId: 'id-h2', host: 'h2', reason: 'constraints', message: 'h2: constraint node.labels.zone == eu not met (zone=us)' },
      { id: 'r3-gone', slot: 3, hostId: 'id-gone', host: null, reason: 'host-gone', message: 'the host id-gone is no longer in the fleet' },
    ]);
    expect(d.place.map((p) => [p.slot, p.host])).toEqual([[2, 'h3'], [3, 'h1']]);
  });

  it('leaves replicas on a degraded host but gives it no new ones', () => {
    const fleet = [host('h1', { status: 'degraded' }), host('h2'), host('h3')];
    const d = placeService(service({ replicas: 4 }), fleet, [replica(1, 'h1')]);
    expect(d.keep.map((r) => r.host)).toEqual(['h1']);
    expect(perHost(d)).toEqual({ h1: 1, h2: 2, h3: 1 });
    // a degraded host's replicas go first on scale-down
    const down = placeService(service({ replicas: 2 }), fleet, [replica(1, 'h1'), replica(2, 'h2'), replica(3, 'h2')]);
    expect(down.remove.map((r) => r.id)).toEqual(['r1-h1']);
  });

  it('explains a replica no host can take, per host and in one line', () => {
    const fleet = [
      host('h1', { labels: { zone: 'us' } }),
      host('h2', { labels: { zone: 'us' } }),
      host('h3'),
      host('h4', { status: 'offline', labels: { zone: 'eu' } }),
      host('h5', { labels: { zone: 'eu' }, reserved: { cpus: 0, memoryBytes: 8 * GiB - 200 * MiB } }),
      host('h6', { status: 'degraded', labels: { zone: 'eu' } }),
      host('h7', { status: 'pending', facts: null }),
    ];
    const d = placeService(service({ replicas: 2, constraints: ['node.labels.zone == eu'], memoryBytes: 512 * MiB }), fleet, []);
    expect(d.place).toEqual([]);
    expect(d.unplaced).toEqual({
      count: 2,
      slots: [1, 2],
      hosts: [
        { hostId: 'id-h1', host: 'h1', kind: 'constraints', message: 'h1: constraint node.labels.zone == eu not met (zone=us)' },
        { hostId: 'id-h2', host: 'h2', kind: 'constraints', message: 'h2: constraint node.labels.zone == eu not met (zone=us)' },
        { hostId: 'id-h3', host: 'h3', kind: 'constraints', message: 'h3: constraint node.labels.zone == eu not met (no label zone)' },
        { hostId: 'id-h4', host: 'h4', kind: 'unavailable', message: 'h4: offline' },
        { hostId: 'id-h5', host: 'h5', kind: 'resources', message: 'h5: not enough memory (asks 512 MiB, 200 MiB free)' },
        { hostId: 'id-h6', host: 'h6', kind: 'unavailable', message: 'h6: degraded (missed heartbeats): no new replicas until it is online again' },
        { hostId: 'id-h7', host: 'h7', kind: 'unavailable', message: 'h7: pending' },
      ],
      summary: 'no suitable host (3 hosts not available for new replicas; scheduling constraints not satisfied on 3 hosts; insufficient resources on 1 host)',
    });
  });

  it('says so when there is no host at all, or none online', () => {
    expect(placeService(service({ replicas: 1 }), [], []).unplaced).toEqual({ count: 1, slots: [1], hosts: [], summary: 'no suitable host (no hosts in the fleet)' });
    expect(placeService(service({ replicas: 3 }), hosts(2, { status: 'offline' }), []).unplaced?.summary).toBe('no suitable host (2 hosts not available for new replicas)');
  });

  it('refuses a bad constraint or preference before deciding anything', () => {
    expect(() => placeService(service({ constraints: ['node.labels.zone = eu'] }), hosts(2), [])).toThrow(AppError);
    expect(() => placeService(service({ constraints: ['node.labels.zone = eu'] }), hosts(2), [])).toThrow('use == or !=');
    expect(() => placeService(service({ spread: ['zone'] }), hosts(2), [])).toThrow('placement preference spread "zone"');
  });
});

describe('placement preferences', () => {
  it('spreads evenly across zone values first: 4 replicas over zones of 1 and 3 hosts go 2/2', () => {
    const fleet = [host('a1', { labels: { zone: 'a' } }), host('b1', { labels: { zone: 'b' } }), host('b2', { labels: { zone: 'b' } }), host('b3', { labels: { zone: 'b' } })];
    const d = placeService(service({ replicas: 4, spread: ['node.labels.zone'] }), fleet, []);
    expect(perHost(d)).toEqual({ a1: 2, b1: 1, b2: 1 });
    // without the preference, hosts are spread over instead
    expect(perHost(placeService(service({ replicas: 4 }), fleet, []))).toEqual({ a1: 1, b1: 1, b2: 1, b3: 1 });
  });

  it('counts replicas already in a zone and fills the emptier zone first', () => {
    const fleet = [host('a1', { labels: { zone: 'a' } }), host('a2', { labels: { zone: 'a' } }), host('b1', { labels: { zone: 'b' } })];
    const d = placeService(service({ replicas: 6, spread: ['node.labels.zone'] }), fleet, [replica(1, 'a1'), replica(2, 'a2'), replica(3, 'a1')]);
    expect(d.place.map((p) => p.host)).toEqual(['b1', 'b1', 'b1']);
  });

  it('is hierarchical over several preferences, and hosts without the label share one branch', () => {
    const fleet = [
      host('r1z1', { labels: { region: 'r1', zone: 'z1' } }),
      host('r1z1b', { labels: { region: 'r1', zone: 'z1' } }),
      host('r1z2', { labels: { region: 'r1', zone: 'z2' } }),
      host('r2z3', { labels: { region: 'r2', zone: 'z3' } }),
      host('bare1'),
      host('bare2'),
    ];
    const d = placeService(service({ replicas: 12, spread: ['node.labels.region', 'node.labels.zone'] }), fleet, []);
    // 3 branches of region (r1, r2, none) get 4 each; inside r1, zones z1 and z2 get 2 each
    expect(perHost(d)).toEqual({ r1z1: 1, r1z1b: 1, r1z2: 2, r2z3: 4, bare1: 2, bare2: 2 });
  });

  it('goes on to the other branches when one runs out of room', () => {
    const fleet = [host('a1', { labels: { zone: 'a' } }), host('b1', { labels: { zone: 'b' } }), host('b2', { labels: { zone: 'b' } })];
    const d = placeService(service({ replicas: 6, spread: ['node.labels.zone'], max: 2 }), fleet, []);
    expect(perHost(d)).toEqual({ a1: 2, b1: 2, b2: 2 });
    expect(d.unplaced).toBeNull();
  });
});

describe('binpack', () => {
  it('fills the fullest host that still fits before the next', () => {
    const fleet = [host('h1'), host('h2', { reserved: { cpus: 1, memoryBytes: 2 * GiB } }), host('h3')];
    // h2 is the fullest; 2 GiB replicas: h2 takes 3 (6 GiB), then h1 (first by name among equals) takes 4
    const d = placeService(service({ replicas: 8, strategy: 'binpack', memoryBytes: 2 * GiB }), fleet, []);
    expect(perHost(d)).toEqual({ h2: 3, h1: 4, h3: 1 });
  });

  it('without reservations piles replicas on the host with the most replicas, then containers', () => {
    const fleet = [host('h1', { containers: 2 }), host('h2', { containers: 9 }), host('h3')];
    expect(perHost(placeService(service({ replicas: 5, strategy: 'binpack' }), fleet, []))).toEqual({ h2: 5 });
    expect(perHost(placeService(service({ replicas: 5, strategy: 'binpack', max: 2 }), fleet, []))).toEqual({ h2: 2, h1: 2, h3: 1 });
  });
});

describe('reservations', () => {
  it('subtract other services’ reservations and count each replica kept or placed', () => {
    const fleet = [host('h1', { facts: { os: 'linux', architecture: 'amd64', cpus: 2, memoryBytes: 4 * GiB }, reserved: { cpus: 0.5, memoryBytes: GiB } }), host('h2', { facts: { os: 'linux', architecture: 'amd64', cpus: 1, memoryBytes: 4 * GiB } })];
    // h1 has 1.5 CPUs left: three 0.5-CPU replicas (one kept); h2 has 1 CPU: two
    const d = placeService(service({ replicas: 7, cpus: 0.5 }), fleet, [replica(1, 'h1')]);
    expect(perHost(d)).toEqual({ h1: 3, h2: 2 });
    expect(d.unplaced).toEqual({
      count: 2,
      slots: [6, 7],
      hosts: [
        { hostId: 'id-h1', host: 'h1', kind: 'resources', message: 'h1: not enough CPUs (asks 0.5, 0 free)' },
        { hostId: 'id-h2', host: 'h2', kind: 'resources', message: 'h2: not enough CPUs (asks 0.5, 0 free)' },
      ],
      summary: 'no suitable host (insufficient resources on 2 hosts)',
    });
  });

  it('name memory and CPUs together when both are short, and refuse hosts that have not reported facts', () => {
    const fleet = [host('h1', { facts: { os: 'linux', architecture: 'amd64', cpus: 1, memoryBytes: GiB } }), host('h2', { facts: null })];
    const d = placeService(service({ replicas: 1, cpus: 1.5, memoryBytes: 1.5 * GiB }), fleet, []);
    expect(d.unplaced?.hosts.map((h) => h.message)).toEqual([
      'h1: not enough memory (asks 1.5 GiB, 1 GiB free); not enough CPUs (asks 1.5, 1 free)',
      'h2: resources unknown: the host has not reported its facts yet',
    ]);
    // without reservations, facts are not needed
    expect(perHost(placeService(service({ replicas: 2 }), fleet, []))).toEqual({ h1: 1, h2: 1 });
  });

  it('never evict a kept replica, even on an overcommitted host', () => {
    const fleet = [host('h1', { facts: { os: 'linux', architecture: 'amd64', cpus: 1, memoryBytes: GiB } })];
    const d = placeService(service({ replicas: 3, memoryBytes: 512 * MiB }), fleet, [replica(1, 'h1'), replica(2, 'h1'), replica(3, 'h1')]);
    expect(d.keep).toHaveLength(3);
    expect(d.remove).toEqual([]);
  });
});

describe('maxReplicasPerHost', () => {
  it('caps each host and explains the replicas left over', () => {
    const d = placeService(service({ replicas: 8, max: 2 }), hosts(3), []);
    expect(perHost(d)).toEqual({ h1: 2, h2: 2, h3: 2 });
    expect(d.unplaced?.slots).toEqual([7, 8]);
    expect(d.unplaced?.hosts.map((h) => h.message)).toEqual(['h1: max replicas per host (2) reached', 'h2: max replicas per host (2) reached', 'h3: max replicas per host (2) reached']);
    expect(d.unplaced?.summary).toBe('no suitable host (max replicas per host reached on 3 hosts)');
  });

  it('moves the extras off a host that holds more than a lowered maximum', () => {
    const d = placeService(service({ replicas: 3, max: 1 }), hosts(3), [replica(1, 'h1'), replica(2, 'h1'), replica(3, 'h1')]);
    expect(d.remove.map((r) => [r.id, r.reason, r.message])).toEqual([
      ['r2-h1', 'max-replicas', 'h1: max replicas per host (1) exceeded'],
      ['r3-h1', 'max-replicas', 'h1: max replicas per host (1) exceeded'],
    ]);
    expect(d.place).toEqual([{ slot: 2, hostId: 'id-h2', host: 'h2' }, { slot: 3, hostId: 'id-h3', host: 'h3' }]);
  });
});

describe('global mode', () => {
  it('puts one replica on every online host satisfying the constraints', () => {
    const fleet = [host('h1', { labels: { gpu: 'yes' } }), host('h2'), host('h3', { labels: { gpu: 'yes' } }), host('h4', { labels: { gpu: 'yes' }, status: 'offline' })];
    const d = placeService(service({ global: true, constraints: ['node.labels.gpu == yes'] }), fleet, []);
    expect(d.place).toEqual([{ slot: 1, hostId: 'id-h1', host: 'h1' }, { slot: 2, hostId: 'id-h3', host: 'h3' }]);
    // hosts the constraints leave out are not failures
    expect(d.unplaced).toBeNull();
  });

  it('keeps one replica per host, removes those on hosts that left, and fills new hosts', () => {
    const fleet = [host('h1'), host('h2', { status: 'offline' }), host('h3'), host('h4')];
    const current = [replica(1, 'h1'), replica(4, 'h1', false), replica(2, 'h2'), replica(3, 'h3')];
    const d = placeService(service({ global: true }), fleet, current);
    expect(d.keep.map((r) => r.id)).toEqual(['r1-h1', 'r3-h3']);
    expect(d.remove.map((r) => [r.id, r.reason, r.message])).toEqual([
      ['r2-h2', 'host-unavailable', 'h2: offline'],
      ['r4-h1', 'duplicate', 'h1: the service already has a replica on this host'],
    ]);
    expect(d.place).toEqual([{ slot: 2, hostId: 'id-h4', host: 'h4' }]);
  });

  it('explains the hosts that should run a replica and cannot', () => {
    const fleet = [host('h1'), host('h2', { reserved: { cpus: 3.75, memoryBytes: 0 } }), host('h3', { status: 'degraded' })];
    const d = placeService(service({ global: true, cpus: 0.5 }), fleet, []);
    expect(d.place.map((p) => p.host)).toEqual(['h1']);
    expect(d.unplaced).toEqual({
      count: 2,
      slots: [],
      hosts: [
        { hostId: 'id-h2', host: 'h2', kind: 'resources', message: 'h2: not enough CPUs (asks 0.5, 0.25 free)' },
        { hostId: 'id-h3', host: 'h3', kind: 'unavailable', message: 'h3: degraded (missed heartbeats): no new replicas until it is online again' },
      ],
      summary: '2 hosts that should run a replica have none (1 host not available for new replicas; insufficient resources on 1 host)',
    });
  });
});

describe('a fleet of 1,000 hosts', () => {
  const fleet = Array.from({ length: 1000 }, (_, i) => host(`h${String(i).padStart(4, '0')}`, { labels: { zone: `z${i % 5}` }, containers: i % 7 }));

  it('spreads 5,000 replicas 5 per host, then moves only the replicas of 10 hosts that go offline', () => {
    const spec = service({ replicas: 5000, spread: ['node.labels.zone'] });
    const first = placeService(spec, fleet, []);
    expect(first.place).toHaveLength(5000);
    expect(new Set(Object.values(perHost(first)))).toEqual(new Set([5]));

    const down = new Set(fleet.slice(100, 110).map((h) => h.id));
    const later = fleet.map((h) => (down.has(h.id) ? { ...h, status: 'offline' } : h));
    const second = placeService(spec, later, after(first));
    expect(second.remove).toHaveLength(50);
    expect(second.remove.every((r) => down.has(r.hostId) && r.reason === 'host-unavailable')).toBe(true);
    expect(second.keep).toHaveLength(4950);
    expect(second.place.map((p) => p.slot).sort((a, b) => a - b)).toEqual(second.remove.map((r) => r.slot).sort((a, b) => a - b));
    expect(second.place.every((p) => !down.has(p.hostId))).toBe(true);
    // the 50 go to 50 distinct hosts: each of those ends at 6, no host above
    expect(Math.max(...Object.values(perHost(second)))).toBe(6);
  });
});
