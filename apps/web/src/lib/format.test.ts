import { describe, expect, it } from 'vitest';
import { binarySize, createdAgo, dfSize, dockerSize, humanDuration, ioPair, shortId, splitRepoTag } from './format.ts';

describe('format', () => {
  it('prints sizes as docker images does: 1000-based, three digits', () => {
    expect(dockerSize(4_261_234)).toBe('4.26MB');
    expect(dockerSize(999)).toBe('999B');
    expect(dockerSize(1000)).toBe('1kB');
    expect(dockerSize(123_456_789)).toBe('123MB');
    expect(dockerSize(1_500_000_000)).toBe('1.5GB');
    expect(binarySize(1024 * 1024 * 12.5)).toBe('12.5MiB');
  });

  it('prints NET I/O and BLOCK I/O as docker stats does: in / out, 1000-based, three digits', () => {
    expect(ioPair(1450, 648)).toBe('1.45kB / 648B');
    expect(ioPair(4096, 0)).toBe('4.1kB / 0B');
    expect(ioPair(0, 0)).toBe('0B / 0B');
    expect(ioPair(12_345_678, 1_000_000_000)).toBe('12.3MB / 1GB');
    // rounding up to the unit's base moves to the next unit, as the CLI prints it
    expect(ioPair(999_960, 999_999_999)).toBe('1MB / 1GB');
    expect(dockerSize(999_500)).toBe('1MB');
    expect(dfSize(999_990)).toBe('1MB');
    expect(binarySize(1023.9 * 1024)).toBe('1020KiB');
  });

  it('words durations as go-units does', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_000)).toBe('59 seconds');
    expect(humanDuration(90_000)).toBe('About a minute');
    expect(humanDuration(5 * 60_000)).toBe('5 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(3 * 3_600_000)).toBe('3 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(20 * 86_400_000)).toBe('2 weeks');
    expect(humanDuration(90 * 86_400_000)).toBe('3 months');
    expect(humanDuration(800 * 86_400_000)).toBe('2 years');
    expect(createdAgo(1000, 1000 * 1000 + 300_000)).toBe('5 minutes ago');
  });

  it('shortens IDs and splits references', () => {
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(splitRepoTag('127.0.0.1:5000/busybox:latest')).toEqual({ repository: '127.0.0.1:5000/busybox', tag: 'latest' });
    expect(splitRepoTag('127.0.0.1:5000/busybox')).toEqual({ repository: '127.0.0.1:5000/busybox', tag: '<none>' });
  });
});
