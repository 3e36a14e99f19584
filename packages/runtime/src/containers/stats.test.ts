import { describe, expect, it } from 'vitest';
import { detectCgroupMode } from '../cgroups/mode.ts';
import { HYBRID_MOUNTINFO, V2_MOUNTINFO } from '../sys/fixtures/hosts.ts';
import { cpuPercent, parseNetDev, readContainerStats } from './stats.ts';

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
      [`${dir}/io.stat`]: '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=2\n',
    }));
    expect(stats).toEqual({ memoryUsage: 9437184, memoryLimit: 67108864, cpuUsageNs: 2_500_000, pids: 3, pidsLimit: null, blockReadBytes: 4097, blockWriteBytes: 8194 });
  });

  it('v1: per-controller directories; the huge v1 "unlimited" is null', async () => {
    const stats = await readContainerStats(detectCgroupMode(HYBRID_MOUNTINFO), '/berth/c1', fixture({
      '/sys/fs/cgroup/memory/berth/c1/memory.usage_in_bytes': '2097152\n',
      '/sys/fs/cgroup/memory/berth/c1/memory.limit_in_bytes': '9223372036854771712\n',
      '/sys/fs/cgroup/memory/berth/c1/memory.stat': 'cache 0\ntotal_inactive_file 1048576\n',
      '/sys/fs/cgroup/cpuacct/berth/c1/cpuacct.usage': '123456789\n',
      '/sys/fs/cgroup/pids/berth/c1/pids.current': '1\n',
      '/sys/fs/cgroup/pids/berth/c1/pids.max': '50\n',
      '/sys/fs/cgroup/blkio/berth/c1/blkio.throttle.io_service_bytes': '8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:0 Total 4608\nTotal 4608\n',
    }));
    expect(stats).toEqual({ memoryUsage: 1048576, memoryLimit: null, cpuUsageNs: 123456789, pids: 1, pidsLimit: 50, blockReadBytes: 4096, blockWriteBytes: 512 });
  });

  it('net I/O: every interface of the container but lo', () => {
    const text = 'Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n    lo:     100 1 0 0 0 0 0 0     100 1 0 0 0 0 0 0\n  eth0:    1500 3 0 0 0 0 0 0     700 2 0 0 0 0 0 0\n  eth1:      10 1 0 0 0 0 0 0       5 1 0 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual({ rxBytes: 1510, txBytes: 705 });
  });

  it('cpu percent: one busy CPU over the interval is 100', () => {
    const s = { memoryUsage: 0, memoryLimit: null, pids: 0, pidsLimit: null, blockReadBytes: 0, blockWriteBytes: 0 };
    expect(cpuPercent({ ...s, cpuUsageNs: 0 }, { ...s, cpuUsageNs: 1e9 }, 1e9)).toBe(100);
    expect(cpuPercent({ ...s, cpuUsageNs: 0 }, { ...s, cpuUsageNs: 1e9 }, 0)).toBe(0);
  });
});
