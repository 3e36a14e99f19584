import { describe, expect, it } from 'vitest';
import { auditFilter, instant } from './audit.ts';

describe('berth audit filters', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('reads --since/--until as a duration before now or as a date', () => {
    expect(instant('--since', '90s', now).toISOString()).toBe('2026-11-30T11:58:30.000Z');
    expect(instant('--since', '2h', now).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(instant('--since', '7d', now).toISOString()).toBe('2026-11-23T12:00:00.000Z');
    expect(instant('--until', '2026-11-30T08:00:00Z', now).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(() => instant('--since', 'yesterday', now)).toThrow('--since takes a date (2026-11-30, 2026-11-30T12:00:00Z) or a duration before now (90s, 10m, 2h, 7d), not "yesterday"');
  });
  it('passes only the filters given, and names a wrong outcome', () => {
    expect(auditFilter({ user: 'ann', action: 'container.', host: undefined as unknown as string })).toEqual({ user: 'ann', action: 'container.' });
    expect(() => auditFilter({ outcome: 'failed' })).toThrow('--outcome is ok, error or refused, not "failed"');
  });
});
