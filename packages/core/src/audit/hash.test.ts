import { describe, expect, it } from 'vitest';
import { canonical, entryHash, GENESIS, type ChainedFields } from './hash.ts';

const entry: ChainedFields = {
  at: new Date('2026-11-23T10:00:00Z'), actorId: null, actorName: 'ops', source: 'cli', remoteAddr: '127.0.0.1',
  action: 'host.revoke', hostId: null, objectType: 'host', objectId: 'h1', params: { b: 1, a: [2, { d: 3, c: 4 }] }, outcome: 'ok', error: null,
};

describe('audit hash chain', () => {
  it('is independent of key order and changes with any field or with the previous hash', () => {
    expect(canonical({ b: 1, a: 2 })).toBe(canonical({ a: 2, b: 1 }));
    const h = entryHash(GENESIS, entry);
    expect(entryHash(GENESIS, { ...entry, params: { a: [2, { c: 4, d: 3 }], b: 1 } })).toBe(h);
    expect(entryHash(GENESIS, { ...entry, actorName: 'someone-else' })).not.toBe(h);
    expect(entryHash(GENESIS, { ...entry, at: new Date('2026-11-23T10:00:00.001Z') })).not.toBe(h);
    expect(entryHash(h, entry)).not.toBe(h);
  });
});
