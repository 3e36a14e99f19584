import { describe, expect, it } from 'vitest';
import { HYBRID_HOST, LEGACY_HOST, V2_HOST } from './fixtures/hosts.ts';
import type { FixtureHost } from './fixtures/hosts.ts';
import { memoryHostFs } from './host-fs.ts';
import type { HostFs } from './host-fs.ts';
import { ociArchitecture, readHostFacts } from './host-facts.ts';
import { sampleHostMetrics } from './host-metrics.ts';

const fsOf = (h: FixtureHost) => memoryHostFs(h.files, h.filesystems);
const GiB = 1024 ** 3;

describe('readHostFacts', () => {
  it('reports a pure cgroup v2 host, with the state dir on its own btrfs', async () => {
    const facts = await readHostFacts({ fs: fsOf(V2_HOST), stateDir: '/var/lib/berth', machine: 'aarch64' });
    expect(facts).toEqual({
      hostname: 'node-arm-1',
      kernelRelease: '6.8.0-45-generic',
      operatingSystem: 'Ubuntu 24.04.1 LTS',
      architecture: 'arm64',
      cpuCount: 8,
      memoryTotalBytes: 16_318_240 * 1024,
      cgroup: { version: 2, mode: 'unified', driver: 'cgroupfs' },
      storage: { driver: 'overlay', backingFilesystem: 'btrfs' },
    });
  });

  it('reports a v1 hybrid host as version 1, with a not-yet-created state dir on ext4 as extfs', async () => {
    const facts = await readHostFacts({ fs: fsOf(HYBRID_HOST), stateDir: '/var/lib/berth', machine: 'x86_64' });
    expect(facts.cgroup).toEqual({ version: 1, mode: 'hybrid', driver: 'cgroupfs' });
    expect(facts.storage.backingFilesystem).toBe('extfs');
    expect(facts.architecture).toBe('amd64');
    expect(facts.cpuCount).toBe(2);
    expect(facts.operatingSystem).toBe('Debian GNU/Linux 12 (bookworm)');
  });

  it('reports a v1 legacy host, reading /usr/lib/os-release when /etc/os-release is missing', async () => {
    const facts = await readHostFacts({ fs: fsOf(LEGACY_HOST), stateDir: '/var/lib/berth', machine: 'x86_64' });
    expect(facts.cgroup).toEqual({ version: 1, mode: 'legacy', driver: 'cgroupfs' });
    expect(facts.operatingSystem).toBe('CentOS Linux 7 (Core)');
    expect(facts.cpuCount).toBe(5);
    expect(facts.kernelRelease).toBe('3.10.0-1160.el7.x86_64');
    expect(facts.storage.backingFilesystem).toBe('xfs');
  });

  it('maps uname machines to OCI architecture names', () => {
    expect(['x86_64', 'aarch64', 'armv7l', 'i686', 'ppc64le', 's390x', 'riscv64'].map(ociArchitecture)).toEqual([
      'amd64',
      'arm64',
      'arm',
      '386',
      'ppc64le',
      's390x',
      'riscv64',
    ]);
  });
});

describe('sampleHostMetrics', () => {
  it('computes CPU from /proc/stat deltas, memory from MemAvailable and disk from statfs', async () => {
    const base = fsOf(V2_HOST);
    const samples = ['cpu  100 0 100 800 0 0 0 0 0 0\n', 'cpu  160 0 100 840 0 0 0 0 0 0\n'];
    // Each read of /proc/stat returns the next sample, as time passing would.
    const fs: HostFs = { ...base, readFile: async (p) => (p === '/proc/stat' ? (samples.shift() ?? '') : base.readFile(p)) };
    const m = await sampleHostMetrics({ fs, stateDir: '/var/lib/berth/volumes', intervalMs: 1 });
    expect(m.cpuPercent).toBe(60);
    expect(m.memory).toEqual({ usedBytes: (16_318_240 - 12_000_000) * 1024, totalBytes: 16_318_240 * 1024 });
    expect(m.disk).toEqual({ usedBytes: 100 * GiB, totalBytes: 500 * GiB });
  });
});
