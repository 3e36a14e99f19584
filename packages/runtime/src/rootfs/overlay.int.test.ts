// Real overlay mounts on this machine. Root only.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostExec } from '../sys/exec.ts';
import { isMountPoint, mountOverlay, unmountOverlay } from './overlay.ts';

describe.skipIf(process.getuid?.() !== 0)('overlay rootfs on the host', () => { // skipped unless root: overlay mounts need it
  let dir: string;
  afterEach(async () => {
    await unmountOverlay(join(dir, 'rootfs'), { exec: hostExec() }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('merges layers top first (also through short relative links), writes go to the upper dir, unmount is idempotent', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-overlay-int-'));
    for (const [layer, text] of [['base', 'base'], ['top', 'top']] as const) {
      await mkdir(join(dir, layer), { recursive: true });
      await writeFile(join(dir, layer, 'who'), text);
      await writeFile(join(dir, layer, `only-${layer}`), layer);
    }
    const layout = { lowerDirs: [join(dir, 'top'), join(dir, 'base')], upperDir: join(dir, 'diff'), workDir: join(dir, 'work'), target: join(dir, 'rootfs'), linkDir: join(dir, 'l') };
    const exec = hostExec();
    // A tiny page limit forces the short-link form the kernel must resolve from the cwd.
    const limit = `lowerdir=0:1,upperdir=${layout.upperDir},workdir=${layout.workDir}`.length;
    await mountOverlay(layout, { exec }, limit);
    await mountOverlay(layout, { exec }, limit);
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    expect(mountinfo.split('\n').filter((l) => l.split(' ')[4] === layout.target)).toHaveLength(1);
    expect(await readFile(join(layout.target, 'who'), 'utf8')).toBe('top');
    expect(await readFile(join(layout.target, 'only-base'), 'utf8')).toBe('base');
    await writeFile(join(layout.target, 'new'), 'x');
    expect(await readFile(join(layout.upperDir, 'new'), 'utf8')).toBe('x');
    await unmountOverlay(layout.target, { exec });
    await unmountOverlay(layout.target, { exec });
    expect(isMountPoint(await readFile('/proc/self/mountinfo', 'utf8'), layout.target)).toBe(false);
  });
});
