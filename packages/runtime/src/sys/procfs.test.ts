import { describe, expect, it } from 'vitest';
import { countCpuList, cpuUsagePercent, parseMeminfo, parseOsRelease, parseProcLimits, parseProcStatCpu } from './procfs.ts';
import { HYBRID_HOST, V2_HOST } from './fixtures/hosts.ts';

describe('procfs parsers', () => {
  it('parseMeminfo converts kB to bytes and keeps unitless counts', () => {
    const info = parseMeminfo(V2_HOST.files['/proc/meminfo'] ?? '');
    expect(info.MemTotal).toBe(16_318_240 * 1024);
    expect(info.MemAvailable).toBe(12_000_000 * 1024);
    expect(info.HugePages_Total).toBe(0);
  });

  it('parseProcStatCpu sums the aggregate line; idle includes iowait', () => {
    expect(parseProcStatCpu('cpu  10 1 5 80 4 0 0 0 0 0\ncpu0 10 1 5 80 4 0 0 0 0 0\n')).toEqual({ idle: 84, total: 100 });
    expect(() => parseProcStatCpu('intr 1 2 3')).toThrow(/no aggregate "cpu" line/);
  });

  it('cpuUsagePercent is the busy share between two samples', () => {
    expect(cpuUsagePercent({ idle: 800, total: 1000 }, { idle: 850, total: 1200 })).toBe(75);
    expect(cpuUsagePercent({ idle: 800, total: 1000 }, { idle: 800, total: 1000 })).toBe(0);
  });

  it('parseOsRelease unquotes values', () => {
    expect(parseOsRelease(HYBRID_HOST.files['/etc/os-release'] ?? '')).toMatchObject({ PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', VERSION_ID: '12' });
    expect(parseOsRelease("ID=alpine\nPRETTY_NAME='Alpine Linux v3.20'\n# comment\n")).toEqual({ ID: 'alpine', PRETTY_NAME: 'Alpine Linux v3.20' });
  });

  it('countCpuList counts ranges and singles', () => {
    expect(countCpuList('0-1\n')).toBe(2);
    expect(countCpuList('0-3,6,8-9')).toBe(7);
    expect(countCpuList('0')).toBe(1);
  });

  it('parseProcLimits names rows by OCI rlimit type, unlimited as null', () => {
    const limits = parseProcLimits(HYBRID_HOST.files['/proc/self/limits'] ?? '');
    expect(limits.RLIMIT_NOFILE).toEqual({ soft: 20000, hard: 20000 });
    expect(limits.RLIMIT_CPU).toEqual({ soft: null, hard: null });
    expect(limits.RLIMIT_NPROC).toEqual({ soft: 63338, hard: 63338 });
  });
});
