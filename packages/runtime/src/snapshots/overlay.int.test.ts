// The prepared mounts really make the image's filesystem: overlayfs honours the translated
// whiteouts and opaque directories, from gzip and zstd layers alike.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildImage, buildLayer, buildLayerTar, normalizeEntries, opaqueWhiteout, pushImage, sha256Digest, whiteout } from '@berth/testing/images';
import type { BuiltImage, Layer } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { ImageService } from '../images/service.ts';

const run = promisify(execFile);

async function zstdLayer(entries: Parameters<typeof normalizeEntries>[0]): Promise<Layer> {
  const tar = await buildLayerTar(normalizeEntries(entries));
  const data = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar });
  return { blob: { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha256Digest(data), size: data.length, data }, diffId: sha256Digest(tar), tar };
}

describe('overlay mount of a prepared image', () => {
  let registry: RunningRegistry;
  let dir: string;
  let image: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'berth-overlay-'));
    const base = await buildBusyboxImage();
    const middle = await buildLayer([
      { path: 'var/www/index.html', content: 'lower\n' },
      { path: 'var/www/old.txt', content: 'hidden by opaque\n' },
      { path: 'etc/motd', content: 'gone soon\n' },
    ]);
    const top = await zstdLayer([whiteout('etc/hostname'), whiteout('etc/motd'), opaqueWhiteout('var/www'), { path: 'var/www/index.html', content: 'upper\n' }]);
    image = buildImage({ layers: [...base.layers, middle, top], cmd: ['sh'] });
    await pushImage(image, registry.url, 'berth/layered', 'latest');
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('translates whiteouts to 0:0 char devices and opaque dirs to trusted.overlay.opaque=y', async () => {
    const images = new ImageService({ root: join(dir, 'store') });
    await images.pull(`${registry.host}/berth/layered`);
    const { lowerdirs } = await images.prepare(`${registry.host}/berth/layered`);
    expect(lowerdirs).toHaveLength(3);
    const top = lowerdirs[0] as string;
    const hostname = await lstat(join(top, 'etc', 'hostname'));
    expect(hostname.isCharacterDevice()).toBe(true);
    expect(hostname.rdev).toBe(0);
    const { stdout } = await run('getfattr', ['--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', join(top, 'var', 'www')]);
    expect(stdout).toBe('y');
    expect(existsSync(join(top, 'var', 'www', '.wh..wh..opq'))).toBe(false);
  });

  it('mounts: busybox runs from the lowest layer, whiteouts hide files, opaque dirs hide lower content', async () => {
    const images = new ImageService({ root: join(dir, 'store') });
    const upperdir = join(dir, 'upper');
    const workdir = join(dir, 'work');
    const target = join(dir, 'rootfs');
    await Promise.all([upperdir, workdir, target].map((d) => mkdir(d, { recursive: true })));
    const { mounts } = await images.prepare(`${registry.host}/berth/layered`, { upperdir, workdir });
    expect(mounts).toHaveLength(1);
    const [mount] = mounts;
    expect(mount?.type).toBe('overlay');
    expect(mount?.options[0]).toMatch(/^lowerdir=[^:]+\/diff:[^:]+\/diff:[^:]+\/diff$/);

    await run('mount', ['-t', 'overlay', mount?.source as string, '-o', (mount?.options ?? []).join(','), target]);
    try {
      expect((await lstat(join(target, 'bin', 'busybox'))).isFile()).toBe(true);
      const { stdout } = await run(join(target, 'bin', 'busybox'), ['echo', 'ran']);
      expect(stdout).toBe('ran\n');
      expect(existsSync(join(target, 'etc', 'hostname'))).toBe(false);
      expect(existsSync(join(target, 'etc', 'motd'))).toBe(false);
      expect(existsSync(join(target, 'etc', 'passwd'))).toBe(true);
      expect((await readdir(join(target, 'var', 'www'))).sort()).toEqual(['index.html']);
      expect(await readFile(join(target, 'var', 'www', 'index.html'), 'utf8')).toBe('upper\n');
    } finally {
      await run('umount', [target]);
    }
  });

  it('a one-layer image gives a read-only bind view, overlay needing two lowers without an upper', async () => {
    const images = new ImageService({ root: join(dir, 'store') });
    const single = await buildBusyboxImage({ labels: { single: 'yes' } });
    await pushImage(single, registry.url, 'berth/single', 'latest');
    await images.pull(`${registry.host}/berth/single`);
    const { mounts, lowerdirs } = await images.prepare(`${registry.host}/berth/single`);
    expect(mounts).toEqual([{ type: 'bind', source: lowerdirs[0], options: ['ro', 'rbind'] }]);
    const layered = await images.prepare(`${registry.host}/berth/layered`);
    expect(layered.mounts[0]?.options).toEqual([`lowerdir=${layered.lowerdirs.join(':')}`, 'ro']);
  });
});
