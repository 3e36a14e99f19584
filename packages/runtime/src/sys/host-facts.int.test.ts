// Host facts and metrics read from this machine.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { cpus, hostname, machine, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostExec } from './exec.ts';
import { rootedHostFs } from './host-fs.ts';
import { readHostFacts } from './host-facts.ts';
import { sampleHostMetrics } from './host-metrics.ts';

const CGROUP2_SUPER_MAGIC = 0x63677270;
// `stat -f -c %T` names → Docker's names.
const STAT_NAMES: Record<string, string> = { 'ext2/ext3': 'extfs', xfs: 'xfs', btrfs: 'btrfs', tmpfs: 'tmpfs', overlayfs: 'overlayfs', zfs: 'zfs' };

describe('host facts on this machine', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'berth-facts-int-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('agree with node:os, statfs and stat(1)', async () => {
    const facts = await readHostFacts({ fs: rootedHostFs(), stateDir });
    expect(facts.kernelRelease).toBe(release());
    expect(facts.hostname).toBe(hostname());
    expect(facts.cpuCount).toBe(cpus().length);
    expect(facts.memoryTotalBytes).toBe(totalmem());
    expect(facts.operatingSystem).not.toBe('');
    if (machine() === 'x86_64') expect(facts.architecture).toBe('amd64');

    // Cross-check the mountinfo-based answer the way runc decides: by statfs magic.
    const unified = (await statfs('/sys/fs/cgroup')).type === CGROUP2_SUPER_MAGIC;
    const hybrid = !unified && existsSync('/sys/fs/cgroup/unified') && (await statfs('/sys/fs/cgroup/unified')).type === CGROUP2_SUPER_MAGIC;
    expect(facts.cgroup).toEqual({ version: unified ? 2 : 1, mode: unified ? 'unified' : hybrid ? 'hybrid' : 'legacy', driver: 'cgroupfs' });

    const statName = (await hostExec().run(['stat', '-f', '-c', '%T', stateDir])).stdout.trim();
    expect(facts.storage).toEqual({ driver: 'overlay', backingFilesystem: STAT_NAMES[statName] ?? statName });
  });

  it('on this Debian VM: cgroup v1 hybrid, amd64, 2 CPUs, ext4 as extfs', async () => {
    // The machine DESIGN.md describes; elsewhere the generic test above applies.
    if (!existsSync('/sys/fs/cgroup/unified/cgroup.controllers')) return;
    const facts = await readHostFacts({ fs: rootedHostFs(), stateDir });
    expect(facts.cgroup).toEqual({ version: 1, mode: 'hybrid', driver: 'cgroupfs' });
    expect(facts.kernelRelease).toMatch(/^\d+\.\d+\.\d+/);
    expect(facts.cpuCount).toBeGreaterThanOrEqual(1);
    expect(facts.cpuCount).toBeLessThanOrEqual(1024);
  });

  it('live metrics are within their totals', async () => {
    const m = await sampleHostMetrics({ fs: rootedHostFs(), stateDir, intervalMs: 200 });
    expect(m.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(m.cpuPercent).toBeLessThanOrEqual(100);
    expect(m.memory.totalBytes).toBe(totalmem());
    expect(m.memory.usedBytes).toBeGreaterThan(0);
    expect(m.memory.usedBytes).toBeLessThan(m.memory.totalBytes);
    expect(m.disk.totalBytes).toBeGreaterThan(0);
    expect(m.disk.usedBytes).toBeGreaterThan(0);
    expect(m.disk.usedBytes).toBeLessThanOrEqual(m.disk.totalBytes);
  });
});
