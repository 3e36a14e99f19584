import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { transformer } from './transformer.ts';

const page = {
  rows: [{ id: 'a'.repeat(64), name: 'web', state: 'running', created: 1_764_547_200, labels: { 'com.docker.compose.project': 'app1' }, ports: [{ privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' }], health: null }],
  total: 5000,
  hosts: [{ name: 'h1', status: 'offline', inventoryAt: null }],
};

describe('the API transformer', () => {
  it('gives what superjson gives, and reads back the same, for plain JSON and for everything superjson keeps', () => {
    const shared = { x: 1 };
    const cases: unknown[] = [
      page, [], {}, 'text', 0, null, true,
      { when: new Date('2026-11-30T00:00:00Z') },
      { gone: undefined }, [1, undefined], { big: 10n }, { n: Number.NaN }, { n: Number.POSITIVE_INFINITY }, { n: -0 },
      { m: new Map([['a', 1]]) }, { s: new Set([1]) }, { re: /x/g }, { twice: [shared, shared] },
      Object.assign(Object.create(null) as object, { a: 1 }),
    ];
    for (const v of cases) {
      expect(transformer.serialize(v)).toEqual(superjson.serialize(v));
      expect(transformer.deserialize(transformer.serialize(v))).toEqual(superjson.deserialize(superjson.serialize(v)));
    }
  });

  it('keeps a Date deep in a page a Date on the other side', () => {
    const answer = { ...page, rows: [{ ...page.rows[0], finishedAt: new Date('2026-11-30T12:00:00Z') }] };
    const back = transformer.deserialize<typeof answer>(JSON.parse(JSON.stringify(transformer.serialize(answer))));
    expect(back.rows[0]?.finishedAt).toBeInstanceOf(Date);
    expect(back.rows[0]?.finishedAt.toISOString()).toBe('2026-11-30T12:00:00.000Z');
  });
});
