import { describe, expect, it } from 'vitest';
import { DurationError, formatGoDuration, parseGoDuration } from './durations.ts';

describe('Go durations (docker --health-interval and friends)', () => {
  it('reads the forms docker takes, in milliseconds', () => {
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('30s')).toBe(30_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('2h')).toBe(7_200_000);
    expect(parseGoDuration('1h2m3s4ms')).toBe(3_723_004);
    expect(parseGoDuration('.5s')).toBe(500);
    expect(parseGoDuration('1500us')).toBe(2);
    expect(parseGoDuration(' 200ms ')).toBe(200);
  });

  it('refuses zero, negatives and garbage with one message naming the flag and the fix', () => {
    const cases: [string, string][] = [
      ['0', 'it is zero'],
      ['0s', 'it is zero'],
      ['-5s', 'it is negative'],
      ['30', 'it has no unit (ms, s, m or h)'],
      ['abc', 'it is not a duration'],
      ['5x', 'it is not a duration'],
      ['1s2', 'it has no unit (ms, s, m or h)'],
      ['', 'it is empty'],
      ['100ns', 'it is under a millisecond'],
    ];
    for (const [text, why] of cases) {
      const attempt = () => parseGoDuration(text, '--health-interval');
      expect(attempt, text).toThrow(DurationError);
      expect(attempt, text).toThrow(`invalid --health-interval ${JSON.stringify(text)}: ${why}; use a positive duration such as 500ms, 30s or 1m30s`);
    }
  });

  it('prints as Go does', () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(200)).toBe('200ms');
    expect(formatGoDuration(1500)).toBe('1.5s');
    expect(formatGoDuration(30_000)).toBe('30s');
    expect(formatGoDuration(90_000)).toBe('1m30s');
    expect(formatGoDuration(3_600_000)).toBe('1h0m0s');
    for (const text of ['250ms', '5s', '1m30s', '2h5m0s']) expect(formatGoDuration(parseGoDuration(text))).toBe(text);
  });
});
