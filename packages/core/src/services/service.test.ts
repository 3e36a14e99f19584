import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor } from '../actor.ts';
import { createService, getService, updateService } from './service.ts';

describe('service ps', () => {
  const tdb = useTestDatabase();

  it('shows each replica with the image of the version it was made from, as docker service ps does during an update', async () => {
    const db = tdb().db;
    const ops = systemActor('ops');
    const svc = await createService(ops, { spec: { name: 'web', image: 'busybox:1', container: {} } }, db);
    await updateService(ops, 'web', { spec: { name: 'web', image: 'busybox:2', container: {} }, expectedVersion: 1 }, db);
    const host = randomUUID();
    const replica = (version: number, slot: number) => ({ serviceId: svc.id, slot, hostId: host, template: 't', version, containerName: `web.${slot}.${version}` });
    await db.replica.createMany({ data: [replica(1, 1), replica(2, 2)] });
    const s = await getService(ops, 'web', db);
    expect(s.replicas.map((r) => [r.slot, r.version, r.image])).toEqual([[1, 1, 'busybox:1'], [2, 2, 'busybox:2']]);
  });
});
