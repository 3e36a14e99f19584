import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import type { ContainerSummary, HostFacts, HostInventory } from '@berth/protocol';
import { recordInventory } from '../hosts/service.ts';
import { searchContainers } from './containers.ts';

const container = (host: string, i: number): ContainerSummary => ({
  id: `${host}${String(i).padStart(4, '0')}`.padEnd(64, '0'),
  name: `app-${i}`,
  image: i % 2 ? 'nginx:1' : i % 10 === 0 ? 'registry.local:5000/team/redis_x:7' : 'redis:7',
  imageId: 'sha256:x',
  command: 'run',
  created: 1_700_000_000 + i,
  state: i % 3 === 0 ? 'exited' : 'running',
  status: '',
  exitCode: null,
  labels: { tier: i % 2 ? 'web' : 'db' },
  ports: [],
  networks: ['bridge'],
});

describe('the fleet’s containers from the inventories in Postgres, a page at a time', () => {
  const t = useTestDatabase();
  const facts = { agentVersion: '0.1.0' } as HostFacts;
  const inventory = (host: string, n: number): HostInventory => ({ containers: Array.from({ length: n }, (_, i) => container(host, i)), images: [], volumes: [], networks: [] });

  let teamId = '';
  beforeEach(async () => {
    await t().db.host.deleteMany({});
    teamId = (await t().db.team.findUniqueOrThrow({ where: { name: 'default' } })).id;
    for (const [name, n] of [['h1', 250], ['h2', 250], ['gone', 4]] as const) {
      const h = await t().db.host.create({ data: { name, status: 'online', teamId } });
      await recordInventory(h.id, facts, t().db, inventory(name, n));
    }
    await t().db.host.create({ data: { name: 'silent', status: 'offline', teamId } });
    await t().db.host.update({ where: { name: 'gone' }, data: { revokedAt: new Date() } });
  });

  it('pages newest first with a total, stable across pages, revoked hosts left out', async () => {
    const first = await searchContainers({ limit: 100 }, t().db);
    const second = await searchContainers({ limit: 100, offset: 100 }, t().db);
    expect([first.total, first.rows.length, second.rows.length]).toEqual([500, 100, 100]);
    expect(first.rows[0]).toMatchObject({ created: 1_700_000_249, host: 'h1' });
    expect(new Set([...first.rows, ...second.rows].map((r) => `${r.host}/${r.id}`)).size).toBe(200);
    expect((await searchContainers({ limit: 100, offset: 480 }, t().db)).rows).toHaveLength(20);
    expect(await searchContainers({ limit: 100, offset: 900 }, t().db)).toMatchObject({ rows: [], total: 500 });
    expect(first.hosts.map((h) => [h.name, h.inventoryAt !== null])).toEqual([['h1', true], ['h2', true], ['silent', false]]);
    // only the hosts whose rows may be out of date: not online, or never reported
    expect((await searchContainers({ limit: 1, hosts: 'stale' }, t().db)).hosts.map((h) => h.name)).toEqual(['silent']);
    expect(first.hostsTotal).toBe(3);
    // rows only (the command palette): the same page, no hosts
    expect(await searchContainers({ limit: 100, hosts: 'none' }, t().db)).toEqual({ ...first, hosts: [], hostsTotal: 0 });
  });

  it('names at most 20 stale hosts, by name, and counts them all: an outage does not put every host in every answer', async () => {
    await t().db.host.createMany({ data: Array.from({ length: 30 }, (_, i) => ({ name: `down-${String(i).padStart(2, '0')}`, status: 'offline' as const, teamId })) });
    const r = await searchContainers({ limit: 1, hosts: 'stale' }, t().db);
    expect(r.hosts.map((h) => h.name)).toEqual(Array.from({ length: 20 }, (_, i) => `down-${String(i).padStart(2, '0')}`));
    expect(r.hostsTotal).toBe(31);
    expect((await searchContainers({ limit: 1, hosts: 'stale', host: 'silent' }, t().db))).toMatchObject({ hosts: [{ name: 'silent' }], hostsTotal: 1 });
  });

  it('filters by text, state, label and host, and sorts by name', async () => {
    const text = await searchContainers({ text: 'APP-12', states: ['running'] }, t().db);
    expect(text.total).toBeGreaterThan(0);
    expect(text.rows.every((r) => r.name.startsWith('app-12') && r.state === 'running')).toBe(true);
    expect((await searchContainers({ label: 'tier=db' }, t().db)).total).toBe(250);
    expect((await searchContainers({ label: 'tier' }, t().db)).total).toBe(500);
    expect((await searchContainers({ label: 'nope' }, t().db)).total).toBe(0);
    expect((await searchContainers({ states: ['exited'] }, t().db)).total).toBe(168);
    expect((await searchContainers({ host: 'h2' }, t().db)).total).toBe(250);
    // image: a substring of the reference, any case; its registry and tag count, `_` is literal
    expect((await searchContainers({ image: 'NGINX' }, t().db)).total).toBe(250);
    expect((await searchContainers({ image: 'redis' }, t().db)).total).toBe(250);
    expect((await searchContainers({ image: 'registry.local:5000/' }, t().db)).total).toBe(50);
    expect((await searchContainers({ image: 'redis_x', host: 'h1', states: ['exited'] }, t().db)).rows.every((r) => r.image === 'registry.local:5000/team/redis_x:7' && r.host === 'h1' && r.state === 'exited')).toBe(true);
    expect((await searchContainers({ image: 'redis%x' }, t().db)).total).toBe(0);
    expect((await searchContainers({ image: 'nginx:2' }, t().db)).total).toBe(0);
    // LIKE's own characters are taken literally, and nothing reaches the SQL but values
    expect((await searchContainers({ text: "%' OR 1=1 --" }, t().db)).total).toBe(0);
    // the text matches within one field: the name, image, id or command, never across two
    expect((await searchContainers({ text: 'NGINX:1' }, t().db)).total).toBe(250);
    expect((await searchContainers({ text: 'h2000' }, t().db)).total).toBe(10);
    expect((await searchContainers({ text: 'app-1\nnginx' }, t().db)).total).toBe(0);
    expect((await searchContainers({ text: 'run\napp' }, t().db)).total).toBe(0);
    expect((await searchContainers({ sort: 'name', limit: 3 }, t().db)).rows.map((r) => `${r.name}@${r.host}`)).toEqual(['app-0@h1', 'app-0@h2', 'app-1@h1']);
  });

  it('follows each new inventory of a host: its rows replaced, damaged entries skipped, removed with the host', async () => {
    const h2 = await t().db.host.findUniqueOrThrow({ where: { name: 'h2' } });
    const damaged = [{ name: 'no-id' }, 'not an object', { ...container('h2', 7), id: 'bad-created'.padEnd(64, '0'), created: 'soon', labels: 'none' }];
    await recordInventory(h2.id, facts, t().db, { ...inventory('h2', 3), containers: [...inventory('h2', 3).containers, ...damaged] } as unknown as HostInventory);
    const page = await searchContainers({ host: 'h2' }, t().db);
    // the element with a bad `created` has a row, but does not read as a container: left out of the page, not fatal
    expect([page.total, page.rows.map((r) => r.name).sort()]).toEqual([4, ['app-0', 'app-1', 'app-2']]);
    expect((await searchContainers({}, t().db)).total).toBe(254);
    await t().db.host.delete({ where: { id: h2.id } });
    expect((await searchContainers({}, t().db)).total).toBe(250);
  });
});
