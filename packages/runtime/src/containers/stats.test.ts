import { describe, expect, it } from 'vitest';
import { detectCgroupMode } from '../cgroups/mode.ts';
import { HYBRID_MOUNTINFO, V2_MOUNTINFO } from '../sys/fixtures/hosts.ts';
import { cpuPercent, readContainerStats } from './stats.ts';

const fixture = (files: Record<string, string>) => async (p: string) => {
  const text = files[p];
  if (text === undefined) throw new Error(`ENOENT ${p}`);
  return text;
};

describe('container stats from cgroup files', () => {
  it('v2: one directory', async () => {
    const dir = '/sys/fs/cgroup/berth/c1';
    const stats = await readContainerStats(detectCgroupMode(V2_MOUNTINFO), '/berth/c1', fixture({
      [`${dir}/memory.current`]: '10485760\n',
      [`${dir}/memory.max`]: '67108864\n',
      [`${dir}/memory.stat`]: 'anon 100\ninactive_file 1048576\nactive_file 5\n',
      [`${dir}/cpu.stat`]: 'usage_usec 2500\nuser_usec 2000\n',
      [`${dir}/pids.current`]: '3\n',
      [`${dir}/pids.max`]: 'max\n',
    }));
    expect(stats).toEqual({ memoryUsage: 9437184, memoryLimit: 67108864, cpuUsageNs: 2_500_000, pids: 3, pidsLimit: null });
  });

  it('v1: per-controller directories; the huge v1 "unlimited" is null', async () => {
    const stats = await readContainerStats(detectCgroupMode(HYBRID_MOUNTINFO), '/berth/c1', fixture({
      '/sys/fs/cgroup/memory/berth/c1/memory.usage_in_bytes': '2097152\n',
      '/sys/fs/cgroup/memory/berth/c1/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/berth/c1/memory.stat': 'cache 0\ntotal_inactive_file 1048576\n',
      '/sys/fs/cgroup/cpuacct/berth/c1/cpuacct.usage': '123456789\n',
      '/sys/fs/cgroup/pids/berth/c1/pids.current': '1\n',
      '/sys/fs/cgroup/pids/berth/c1/pids.max': '50\n',
    }));
    expect(stats).toEqual({ memoryUsage: 1048576, memoryLimit: null, cpuUsageNs: 123456789, pids: 1, pidsLimit: 50 });
  });

  it('cpu percent: one busy CPU over the interval is 100', () => {
    const s = { memoryUsage: 0, memoryLimit: null, pids: 0, pidsLimit: null };
    expect(cpuPercent({ ...s, cpuUsageNs: 0 }, { ...s, cpuUsageNs: 1e9 }, 1e9)).toBe(100);
    expect(cpuPercent({ ...s, cpuUsageNs: 0 }, { ...s, cpuUsageNs: 1e9 }, 0)).toBe(0);
  });
});
