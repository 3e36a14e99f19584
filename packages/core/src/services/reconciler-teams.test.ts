// The reconciler against Postgres with simulated hosts (a fleet that records what it is asked):
// a service's replicas go only to its team's hosts.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor } from '../actor.ts';
import { noFleet, type FleetDispatcher } from '../fleet/dispatcher.ts';
import { createTeam } from '../teams/service.ts';
import { Reconciler } from './reconciler.ts';
import { createService } from './service.ts';

describe('the reconciler places on the service\'s team\'s hosts only', () => {
  const tdb = useTestDatabase();

  it('creates team default\'s replicas on its host, none on team b\'s, and says that team c has no host', async () => {
    const db = tdb().db;
    const ops = systemActor('ops');
    const def = await db.team.findUniqueOrThrow({ where: { name: 'default' } });
    const b = await createTeam(ops, { name: 'b' }, db);
    await createTeam(ops, { name: 'c' }, db);
    const online = { status: 'online' as const, enrolledAt: new Date(), lastSeenAt: new Date(), inventoryAt: new Date(), facts: { os: 'linux', architecture: 'x86_64', cpus: 4, memoryBytes: 8 << 30 } };
    // b's hosts sort first: spreading over the whole fleet would use them
    const [b1, b2, a1] = [await db.host.create({ data: { name: 'b1', teamId: b.id, ...online } }), await db.host.create({ data: { name: 'b2', teamId: b.id, ...online } }), await db.host.create({ data: { name: 'z1', teamId: def.id, ...online } })];
    await createService(ops, { spec: { name: 'web', image: 'busybox', container: {}, mode: { mode: 'replicated', replicas: 3 } }, team: 'default' }, db);
    await createService(ops, { spec: { name: 'lonely', image: 'busybox', container: {} }, team: 'c' }, db);

    const asked: { hostId: string; op: string }[] = [];
    let n = 0;
    const fleet: FleetDispatcher = {
      ...noFleet,
      request: (async (hostId: string, op: string) => {
        asked.push({ hostId, op });
        return op === 'container.create' ? { id: `c${++n}`, files: 0 } : {};
      }) as FleetDispatcher['request'],
    };
    const reconciler = new Reconciler({ db, fleet, concurrency: 4 });
    const { created } = await reconciler.pass();
    while (reconciler.inFlight > 0) await new Promise((r) => setTimeout(r, 20));

    expect(created).toBe(3);
    const creates = asked.filter((a) => a.op === 'container.create').map((a) => a.hostId);
    expect(creates).toEqual([a1.id, a1.id, a1.id]);
    expect(asked.some((a) => a.hostId === b1.id || a.hostId === b2.id)).toBe(false);
    const lonely = await db.service.findUniqueOrThrow({ where: { name: 'lonely' } });
    const why = await db.serviceEvent.findMany({ where: { serviceId: lonely.id, kind: 'unplaced' } });
    expect(why.map((e) => e.message)).toEqual(["no suitable host (team c has no hosts: a service runs only on its team's hosts)"]);
  });
});
