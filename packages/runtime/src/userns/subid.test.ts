import { describe, expect, it } from 'vitest';
import { hostRoot, remapMappings, toContainerId, toHostId } from './idmap.ts';
import { nextFreeRange, parseSubIds, remapRange } from './subid.ts';

describe('parseSubIds', () => {
  it('reads name:start:count lines and skips comments, blanks and malformed lines', () => {
    const text = ['# comment', '', 'alice:100000:65536', 'broken line', 'bob:x:10', 'carol:200000:0', '1001:300000:65536', '  dave:400000:131072  '].join('\n');
    expect(parseSubIds(text)).toEqual([
      { owner: 'alice', start: 100000, size: 65536 },
      { owner: '1001', start: 300000, size: 65536 },
      { owner: 'dave', start: 400000, size: 131072 },
    ]);
  });

  it('drops a range that runs past the last 32-bit id', () => {
    expect(parseSubIds('eve:4294967200:65536')).toEqual([]);
  });
});

describe('remapRange', () => {
  const ranges = parseSubIds('alice:100000:65536\nalice:500000:65536\n1002:200000:65536\nsmall:300000:1000\n');

  it('takes the first range of the user', () => {
    expect(remapRange(ranges, { name: 'alice' }, '/etc/subuid')).toEqual({ start: 100000, size: 65536 });
  });

  it('matches a line keyed by the numeric id', () => {
    expect(remapRange(ranges, { name: 'bob', id: 1002 }, '/etc/subuid')).toEqual({ start: 200000, size: 65536 });
  });

  it('refuses a range smaller than 65536 ids, saying how many it holds', () => {
    expect(() => remapRange(ranges, { name: 'small' }, '/etc/subuid')).toThrow(/range of small \(300000:1000\) holds 1000 ids, fewer than the 65536/);
  });

  it('refuses a user without a range, saying what line to add', () => {
    expect(() => remapRange(ranges, { name: 'nobody' }, '/etc/subgid')).toThrow(/\/etc\/subgid has no range for nobody: add a line such as "nobody:100000:65536"/);
  });
});

describe('nextFreeRange', () => {
  it('starts at 100000 on an empty host', () => {
    expect(nextFreeRange([])).toBe(100000);
  });

  it('goes past ranges in use, in either file', () => {
    expect(nextFreeRange(parseSubIds('a:100000:65536\nb:165536:65536'))).toBe(231072);
  });

  it('uses a gap large enough and skips one too small', () => {
    expect(nextFreeRange(parseSubIds('a:100000:1000\nb:120000:65536\nc:300000:65536'))).toBe(185536);
  });
});

describe('id mappings', () => {
  const m = remapMappings({ start: 100000, size: 65536 }, { start: 200000, size: 65536 });

  it('maps container ids into the range and back', () => {
    expect(toHostId(m.uidMappings, 0)).toBe(100000);
    expect(toHostId(m.gidMappings, 65535)).toBe(265535);
    expect(toContainerId(m.uidMappings, 100042)).toBe(42);
    expect(hostRoot(m)).toEqual({ uid: 100000, gid: 200000 });
  });

  it('has no mapping beyond the range, either way', () => {
    expect(toHostId(m.uidMappings, 65536)).toBeNull();
    expect(toContainerId(m.uidMappings, 0)).toBeNull();
    expect(toContainerId(m.uidMappings, 165536)).toBeNull();
  });
});
