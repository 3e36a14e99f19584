// Real runtimes on this host: root only.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCgroupMode } from '../cgroups/mode.ts';
import type { CgroupLayout } from '../cgroups/mode.ts';
import { cgroupDirs, containerCgroupDirs } from '../cgroups/paths.ts';
import { removeCgroup } from '../cgroups/remove.ts';
import { hostExec } from '../sys/exec.ts';
import { detectRuntime } from './detect.ts';

describe.skipIf(process.getuid?.() !== 0)('detectRuntime on this host', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  let work: string;
  let layout: CgroupLayout;
  const parent = `berth-itest-${randomBytes(4).toString('hex')}`;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-detect-int-'));
    await mkdir(join(work, 'tmp'));
    layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));
  });
  afterEach(async () => {
    // Whatever a failed probe left: the test's whole cgroup parent, state and bundles.
    await removeCgroup(cgroupDirs(layout, `/${parent}`));
    await rm(work, { recursive: true, force: true });
  });

  it('runs a probe with each candidate, chooses one that works and cleans up after itself', async () => {
    const stateDir = join(work, 'state');
    const found = await detectRuntime({ stateDir, exec: hostExec(), tmpDir: join(work, 'tmp'), cgroupParent: parent });

    expect(found.chosen.ok).toBe(true);
    expect(found.chosen.version).toMatch(/^\d+\.\d+/);
    if (layout.mode === 'hybrid') {
      // Debian's crun refuses hybrid hosts, runc runs on them.
      expect(found.chosen.name).toBe('runc');
      const crun = found.probes.find((p) => p.name === 'crun');
      expect(crun).toMatchObject({ ok: false, version: expect.stringMatching(/^\d/) });
      expect(crun?.reason).toContain('cgroups in hybrid mode not supported');
    }

    // No probe container, bundle or cgroup is left behind.
    for (const p of found.probes) {
      if (!p.path) continue;
      const root = join(stateDir, 'runtime', p.name);
      expect(existsSync(root) ? await readdir(root) : []).toEqual([]);
      for (const dir of containerCgroupDirs(layout, p.probeId, parent)) expect(existsSync(dir), dir).toBe(false);
    }
    expect(await readdir(join(work, 'tmp'))).toEqual([]);
  });
});
