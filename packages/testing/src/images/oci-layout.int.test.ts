import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildHttpdImage } from './busybox.ts';
import { MEDIA_TYPES, sha256Digest } from './digest.ts';
import type { Descriptor } from './digest.ts';
import { REF_NAME_ANNOTATION, writeOciLayout } from './oci-layout.ts';

const execFileAsync = promisify(execFile);
const RUNC = '/usr/sbin/runc';
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-oci-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

describe('writeOciLayout', () => {
  it('writes a layout whose blobs match their names and whose manifest describes them', async () => {
    const dir = await tempDir();
    const image = await buildBusyboxImage();
    await writeOciLayout(image, dir, 'v1');

    expect(await readJson(join(dir, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const blobDir = join(dir, 'blobs', 'sha256');
    const names = await readdir(blobDir);
    expect(names.sort()).toEqual([image.digest, image.id, ...image.layers.map((l) => l.blob.digest)].map((d) => d.slice(7)).sort());
    for (const name of names) expect(sha256Digest(await readFile(join(blobDir, name)))).toBe(`sha256:${name}`);

    const index = await readJson<{ schemaVersion: number; manifests: Descriptor[] }>(join(dir, 'index.json'));
    expect(index.schemaVersion).toBe(2);
    expect(index.manifests).toEqual([
      { mediaType: MEDIA_TYPES.manifest, digest: image.digest, size: image.manifest.size, annotations: { [REF_NAME_ANNOTATION]: 'v1' } },
    ]);

    const manifestPath = join(blobDir, image.digest.slice(7));
    expect((await stat(manifestPath)).size).toBe(index.manifests[0]?.size);
    const manifest = await readJson<Manifest>(manifestPath);
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe(MEDIA_TYPES.manifest);
    expect(manifest.config.mediaType).toBe(MEDIA_TYPES.config);
    for (const desc of [manifest.config, ...manifest.layers]) {
      expect((await stat(join(blobDir, desc.digest.slice(7)))).size, desc.digest).toBe(desc.size);
    }
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([MEDIA_TYPES.layerGzip]);
    const config = await readJson<{ rootfs: { diff_ids: string[] } }>(join(blobDir, manifest.config.digest.slice(7)));
    expect(config.rootfs.diff_ids).toEqual(image.layers.map((l) => l.diffId));
  });

  it('adds refs to an existing layout and replaces a ref written again', async () => {
    const dir = await tempDir();
    const [busybox, httpd] = await Promise.all([buildBusyboxImage(), buildHttpdImage()]);
    await writeOciLayout(busybox, dir, 'busybox');
    await writeOciLayout(httpd, dir, 'httpd');
    await writeOciLayout(httpd, dir, 'busybox');
    const index = await readJson<{ manifests: Descriptor[] }>(join(dir, 'index.json'));
    expect(index.manifests.map((m) => [m.annotations?.[REF_NAME_ANNOTATION], m.digest])).toEqual([
      ['httpd', httpd.digest],
      ['busybox', httpd.digest],
    ]);
  });

  // Proves the layer is a usable root filesystem: unpack it and run its busybox with runc.
  it.skipIf(!existsSync(RUNC) || process.getuid?.() !== 0)('unpacks to a rootfs that runc can run', async () => { // skipped without runc or root: running the unpacked image needs both
    const dir = await tempDir();
    const image = await buildHttpdImage();
    const rootfs = join(dir, 'bundle', 'rootfs');
    await mkdir(rootfs, { recursive: true });
    for (const layer of image.layers) {
      const blob = join(dir, 'layer.tar.gz');
      await writeFile(blob, layer.blob.data);
      await execFileAsync('tar', ['-xzf', blob, '-C', rootfs]);
    }
    await execFileAsync(RUNC, ['spec'], { cwd: join(dir, 'bundle') });
    const specPath = join(dir, 'bundle', 'config.json');
    const spec = await readJson<{ process: { terminal: boolean; args: string[] }; root: { path: string } }>(specPath);
    spec.process.terminal = false;
    spec.process.args = ['sh', '-c', 'cat /var/www/index.html; id -u; ls -ld /tmp'];
    spec.root.path = rootfs;
    await writeFile(specPath, JSON.stringify(spec));
    const id = `berth-testing-${process.pid}-${Date.now()}`;
    const { stdout } = await execFileAsync(RUNC, ['--root', join(dir, 'runc-state'), 'run', '--bundle', join(dir, 'bundle'), id]);
    expect(stdout).toMatch(/^hello from berth\n0\ndrwxrwxrwt /);
  });
});
