import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import type { HostFacts, HostInventory } from '@berth/protocol';
import { recordInventory } from '../hosts/service.ts';
import { searchContainers, selectContainers, type InventoryContainer } from './containers.ts';

const row = (host: string, i: number, o: Partial<InventoryContainer> = {}): InventoryContainer => ({
  id: `${host}${String(i).padStart(4, '0')}`.padEnd(64, '0'),
  name: `app-${i}`,
  image: i % 2 ? 'nginx:1' : 'redis:7',
  imageId: 'sha256:x',
  command: 'run',
  created: 1_700_000_000 + i,
  state: i % 3 === 0 ? 'exited' : 'running',
  status: '',
  exitCode: null,
  labels: { tier: i % 2 ? 'web' : 'db' },
  ports: [],
  networks: ['bridge'],
  host,
  hostId: host,
  ...o,
});

describe('selecting a page of the fleet’s containers', () => {
  const all = [...Array.from({ length: 250 }, (_, i) => row('h1', i)), ...Array.from({ length: 250 }, (_, i) => row('h2', i))];

  it('pages newest first with a total, stable across pages', () => {
    const first = selectContainers(all, { limit: 100 });
    const second = selectContainers(all, { limit: 100, offset: 100 });
    expect([first.total, first.rows.length, second.rows.length]).toEqual([500, 100, 100]);
    expect(first.rows[0]?.created).toBe(1_700_000_249);
    const ids = new Set([...first.rows, ...second.rows].map((r) => r.id));
    expect(ids.size).toBe(200);
    expect(selectContainers(all, { limit: 100, offset: 480 }).rows).toHaveLength(20);
    expect(selectContainers(all, { limit: 10_000 }).limit).toBe(500);
  });

  it('filters by text, state, label and sorts by name', () => {
    expect(selectContainers(all, { text: 'APP-12', states: ['running'] }).rows.every((r) => r.name.startsWith('app-12') && r.state === 'running')).toBe(true);
    expect(selectContainers(all, { label: 'tier=db' }).total).toBe(250);
    expect(selectContainers(all, { label: 'tier' }).total).toBe(500);
    expect(selectContainers(all, { label: 'nope' }).total).toBe(0);
    expect(selectContainers(all, { states: ['exited'] }).total).toBe(168);
    expect(selectContainers(all, { sort: 'name', limit: 3 }).rows.map((r) => `${r.name}@${r.host}`)).toEqual(['app-0@h1', 'app-0@h2', 'app-1@h1']);
  });
});

describe('searching the inventories in Postgres', () => {
  const t = useTestDatabase();
  const facts = { agentVersion: '0.1.0' } as HostFacts;
  const inventory = (host: string, n: number): HostInventory => ({ containers: Array.from({ length: n }, (_, i) => row(host, i)).map(({ host: _h, hostId: _i, ...c }) => c), images: [], volumes: [], networks: [] });

  it('reads every host’s last inventory in one query, names the hosts with when, and leaves out revoked ones', async () => {
    for (const [name, n] of [['alpha', 3], ['beta', 2], ['gone', 4]] as const) {
      const h = await t().db.host.create({ data: { name, status: 'online' } });
      await recordInventory(h.id, facts, t().db, inventory(name, n));
    }
    await t().db.host.create({ data: { name: 'silent', status: 'offline' } });
    await t().db.host.update({ where: { name: 'gone' }, data: { revokedAt: new Date() } });
    const page = await searchContainers({ limit: 10 }, t().db);
    expect(page.total).toBe(5);
    expect(new Set(page.rows.map((r) => r.host))).toEqual(new Set(['alpha', 'beta']));
    expect(page.hosts.map((h) => [h.name, h.inventoryAt !== null])).toEqual([['alpha', true], ['beta', true], ['silent', false]]);
    expect((await searchContainers({ host: 'beta' }, t().db)).total).toBe(2);
  });
});
