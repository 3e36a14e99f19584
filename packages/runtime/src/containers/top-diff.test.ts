import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { containerChanges } from './diff.ts';
import { cpuTime, parseStat } from './top.ts';

describe('docker top helpers', () => {
  it('reads ppid and cpu ticks past a command with spaces and parentheses', () => {
    const stat = '4242 (my (odd) cmd) S 4200 4242 4242 0 -1 4194560 100 0 0 0 250 130 0 0 20 0 1 0 12345 1000 10';
    expect(parseStat(stat)).toEqual({ ppid: 4200, ticks: 380 });
  });
  it('prints TIME as ps does', () => {
    expect(cpuTime(380)).toBe('00:00:03');
    expect(cpuTime(100 * 90061)).toBe('1-01:01:01');
  });
});

describe.skipIf(process.getuid?.() !== 0)('docker diff of an upper dir', () => { // skipped unless root: a whiteout is a character device, which only root may make
  it('says A for new paths, C for changed ones and D for whiteouts, leaving out the files the engine mounts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-diff-'));
    try {
      const lower = join(dir, 'lower');
      const upper = join(dir, 'upper');
      await mkdir(join(lower, 'etc'), { recursive: true });
      await writeFile(join(lower, 'etc/passwd'), 'x');
      await mkdir(join(lower, 'run'));
      await writeFile(join(lower, 'etc/gone'), 'x');
      await mkdir(join(upper, 'etc'), { recursive: true });
      await writeFile(join(upper, 'etc/passwd'), 'y');
      // what the engine mounts into every container is not the container's change
      await writeFile(join(upper, 'etc/hosts'), '');
      await mkdir(join(upper, 'run'));
      await writeFile(join(upper, 'run/.containerenv'), '');
      await rm(join(upper, 'run/.containerenv'));
      await mkdir(join(upper, 'data'));
      await writeFile(join(upper, 'data/new'), 'z');
      await promisify(execFile)('mknod', [join(upper, 'etc/gone'), 'c', '0', '0']);
      expect(await containerChanges(upper, [lower])).toEqual([
        { kind: 'A', path: '/data' },
        { kind: 'A', path: '/data/new' },
        { kind: 'C', path: '/etc' },
        { kind: 'D', path: '/etc/gone' },
        { kind: 'C', path: '/etc/passwd' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
