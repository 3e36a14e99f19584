import { describe, expect, it } from 'vitest';
import { binarySize, createdAgo, dockerSize, humanDuration, shortId, splitRepoTag } from './format.ts';

describe('format', () => {
  it('prints sizes as docker images does: 1000-based, three digits', () => {
    expect(dockerSize(4_261_234)).toBe('4.26MB');
    expect(dockerSize(999)).toBe('999B');
    expect(dockerSize(1000)).toBe('1kB');
    expect(dockerSize(123_456_789)).toBe('123MB');
    expect(dockerSize(1_500_000_000)).toBe('1.5GB');
    expect(binarySize(1024 * 1024 * 12.5)).toBe('12.5MiB');
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
