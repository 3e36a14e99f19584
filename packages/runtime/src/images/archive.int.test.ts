// save and load against real files: archives this store writes, archives packages/testing
// writes as docker save and as OCI layouts, and hostile archives that must change nothing.
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusyboxImage,
  buildHttpdImage,
  buildImage,
  buildLayerTar,
  dockerArchiveEntries,
  layerFromTar,
  pushImage,
  readTar,
  sha256Digest,
  writeDockerArchive,
  writeOciLayout,
} from '@berth/testing/images';
import type { BuiltImage, LayerEntry } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { LayerError } from '../snapshots/errors.ts';
import { ImageError } from './errors.ts';
import { loadMessages } from './load.ts';
import { ImageService } from './service.ts';

const run = promisify(execFile);

async function storeState(root: string): Promise<unknown> {
  const list = async (d: string) => (await readdir(join(root, d)).catch(() => [] as string[])).sort();
  return {
    blobs: await list('blobs/sha256'),
    layers: await list('layers'),
    staging: await list('staging'),
    index: await readFile(join(root, 'index.json'), 'utf8').catch(() => 'none'),
  };
}

describe('save and load', () => {
  let registry: RunningRegistry;
  let dir: string;
  let busybox: BuiltImage;
  let httpd: BuiltImage;
  let images: ImageService;
  let n = 0;
  const fresh = (): ImageService => new ImageService({ root: join(dir, `fresh-${n++}`) });
  const web = (): string => `${registry.host}/berth/httpd:v1`;

  beforeAll(async () => {
    registry = await startRegistry();
    busybox = await buildBusyboxImage();
    httpd = await buildHttpdImage();
    await pushImage(busybox, registry.url, 'berth/busybox', 'latest');
    await pushImage(httpd, registry.url, 'berth/httpd', 'v1');
    dir = await mkdtemp(join(tmpdir(), 'berth-archive-'));
    images = new ImageService({ root: join(dir, 'store') });
    await images.pull(`${registry.host}/berth/busybox`);
    await images.pull(web());
    await images.tag(`${registry.host}/berth/busybox`, 'mine/app:v1');
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('saves a docker load compatible archive: manifest.json, repositories, config and layer tars by digest', async () => {
    const file = join(dir, 'saved.tar');
    const result = await images.save([web(), 'mine/app:v1'], file);
    expect(result.ids).toEqual([httpd.id, busybox.id]);
    const entries = await readTar(await readFile(file));
    const files = new Map(entries.filter((e) => e.header.type === 'file').map((e) => [e.header.name, e.data]));
    const manifest = JSON.parse(files.get('manifest.json')?.toString() ?? '') as { Config: string; RepoTags: string[]; Layers: string[] }[];
    expect(manifest).toEqual([
      { Config: `blobs/sha256/${httpd.id.slice(7)}`, RepoTags: [web()], Layers: httpd.layers.map((l) => `blobs/sha256/${l.diffId.slice(7)}`) },
      { Config: `blobs/sha256/${busybox.id.slice(7)}`, RepoTags: ['mine/app:v1'], Layers: busybox.layers.map((l) => `blobs/sha256/${l.diffId.slice(7)}`) },
    ]);
    // docker load checks each config against its name and each layer tar against the diff IDs.
    for (const entry of manifest) {
      expect(`sha256:${entry.Config.slice(-64)}`).toBe(sha256Digest(files.get(entry.Config) ?? Buffer.alloc(0)));
      for (const layer of entry.Layers) expect(sha256Digest(files.get(layer) ?? Buffer.alloc(0))).toBe(`sha256:${layer.slice(-64)}`);
    }
    expect(JSON.parse(files.get('repositories')?.toString() ?? '')).toEqual({
      [`${registry.host}/berth/httpd`]: { v1: httpd.layers[1]?.diffId.slice(7) },
      'mine/app': { v1: busybox.layers[0]?.diffId.slice(7) },
    });
    const index = JSON.parse(files.get('index.json')?.toString() ?? '') as { manifests: { annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.annotations['io.containerd.image.name'])).toEqual([web(), 'docker.io/mine/app:v1']);
    expect(JSON.parse(files.get('oci-layout')?.toString() ?? '')).toEqual({ imageLayoutVersion: '1.0.0' });
    // The shared base layer is written once.
    expect(entries.filter((e) => e.header.name === `blobs/sha256/${busybox.layers[0]?.diffId.slice(7)}`)).toHaveLength(1);
  });

  it('loads what it saved into a fresh store: same image IDs and names, layers unpacked', async () => {
    const file = join(dir, 'roundtrip.tar');
    await images.save([web(), 'mine/app:v1'], file);
    const other = fresh();
    const result = await other.load(file);
    expect(result.format).toBe('docker-archive');
    expect(result.images.map((i) => [i.id, i.names])).toEqual([
      [httpd.id, [web()]],
      [busybox.id, ['docker.io/mine/app:v1']],
    ]);
    expect(loadMessages(result)).toEqual([`Loaded image: ${web()}`, 'Loaded image: mine/app:v1']);
    expect((await other.inspect(web())).id).toBe(httpd.id);
    expect((await other.inspect('mine/app:v1')).rootfs.diffIds).toEqual(busybox.layers.map((l) => l.diffId));
    const { lowerdirs } = await other.prepare(web());
    expect(await readFile(join(lowerdirs[0] as string, 'var', 'www', 'index.html'), 'utf8')).toBe('hello from berth\n');
    // And again: nothing new, the same answer.
    expect((await other.load(file)).images.map((i) => i.id)).toEqual([httpd.id, busybox.id]);
    // Into the store it came from: the images are there by ID, so only names are added, no duplicates.
    const blobsBefore = await readdir(join(dir, 'store', 'blobs', 'sha256'));
    await images.tag(web(), 'kept/name:x');
    await images.remove(web());
    const again = await images.load(file);
    expect(again.images.map((i) => i.manifestDigest)).toEqual([httpd.digest, busybox.digest]);
    expect((await images.inspect(web())).id).toBe(httpd.id);
    expect(await images.list({ dangling: true })).toEqual([]);
    expect((await readdir(join(dir, 'store', 'blobs', 'sha256'))).sort()).toEqual(blobsBefore.sort());
  });

  it('saves to a stream and loads a gzip-compressed stream; an image saved by ID loads without a name', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await images.save([httpd.id.slice(7, 19)], out);
    const gz = join(dir, 'by-id.tar.gz');
    await pipeline(PassThrough.from(Buffer.concat(chunks)), createGzip(), createWriteStream(gz));
    const other = fresh();
    const result = await other.load(createReadStream(gz));
    expect(result.images).toEqual([expect.objectContaining({ id: httpd.id, names: [] })]);
    expect(loadMessages(result)).toEqual([`Loaded image ID: ${httpd.id}`]);
    expect(await other.list()).toEqual([expect.objectContaining({ id: httpd.id, dangling: true })]);
  });

  it("loads packages/testing's docker archive (the pre-25 docker save layout)", async () => {
    const file = join(dir, 'testing-docker.tar');
    await writeDockerArchive(httpd, file, ['berth/httpd:latest', '127.0.0.1:5000/berth/httpd:v1']);
    const other = fresh();
    const result = await other.load(file);
    expect(result.images).toEqual([expect.objectContaining({ id: httpd.id, names: ['docker.io/berth/httpd:latest', '127.0.0.1:5000/berth/httpd:v1'] })]);
    expect((await other.list()).map((r) => `${r.repository}:${r.tag}`).sort()).toEqual(['127.0.0.1:5000/berth/httpd:v1', 'berth/httpd:latest']);
    expect((await other.prepare('berth/httpd')).lowerdirs).toHaveLength(2);
  });

  it('follows links inside the archive, as Docker 25 writes legacy layer.tar links into blobs/', async () => {
    const entries = dockerArchiveEntries(httpd, ['berth/linked:v1']).flatMap((e): LayerEntry[] => {
      if (!e.path.endsWith('/layer.tar') || !('content' in e)) return [e];
      const blob = `blobs/sha256/${sha256Digest(Buffer.from(e.content)).slice(7)}`;
      return [
        { path: blob, content: e.content },
        { type: 'symlink', path: e.path, target: `../${blob}` },
      ];
    });
    const file = join(dir, 'linked.tar');
    await writeFile(file, await buildLayerTar(entries));
    const other = fresh();
    expect((await other.load(file)).images).toEqual([expect.objectContaining({ id: httpd.id, names: ['docker.io/berth/linked:v1'] })]);
  });

  it("loads packages/testing's OCI layout as a tar, plain or gzip, keeping the manifest digest", async () => {
    const layout = join(dir, 'layout');
    await writeOciLayout(busybox, layout, 'latest');
    await writeOciLayout(httpd, layout, 'example.com/berth/oci:v1');
    const plain = join(dir, 'layout.tar');
    const gz = join(dir, 'layout.tar.gz');
    await run('tar', ['-C', layout, '-cf', plain, '.']);
    await run('tar', ['-C', layout, '-czf', gz, '.']);
    for (const file of [plain, gz]) {
      const other = fresh();
      const result = await other.load(file);
      expect(result.format).toBe('oci-archive');
      // A bare ref.name ("latest") names no repository: that image loads without a name.
      expect(result.images).toEqual([
        { id: busybox.id, names: [], manifestDigest: busybox.digest },
        { id: httpd.id, names: ['example.com/berth/oci:v1'], manifestDigest: httpd.digest },
      ]);
      expect((await other.inspect('example.com/berth/oci:v1')).manifest.digest).toBe(httpd.digest);
    }
  });

  // skopeo (containers/image) is an independent reader and writer of both archive formats.
  it.skipIf(!existsSync('/usr/bin/skopeo'))('skopeo reads the saved archive as docker-archive and OCI archive, and writes archives load reads', async () => { // skipped without skopeo, the independent reader (./berth test installs it)
    const file = join(dir, 'for-skopeo.tar');
    await images.save([web()], file);
    for (const transport of ['docker-archive', 'oci-archive']) {
      // copy verifies every blob against its digest on the way.
      await run('skopeo', ['copy', '--quiet', `${transport}:${file}`, `oci:${join(dir, `skopeo-${transport}`)}:x`]);
      const { stdout } = await run('skopeo', ['inspect', '--raw', `oci:${join(dir, `skopeo-${transport}`)}:x`]);
      expect((JSON.parse(stdout) as { config: { digest: string } }).config.digest).toBe(httpd.id);
    }
    const dockerArchive = join(dir, 'by-skopeo.tar');
    const ociArchive = join(dir, 'by-skopeo-oci.tar');
    await run('skopeo', ['copy', '--quiet', `oci:${join(dir, 'skopeo-docker-archive')}:x`, `docker-archive:${dockerArchive}:berth/skopeo:v1`]);
    await run('skopeo', ['copy', '--quiet', `oci:${join(dir, 'skopeo-docker-archive')}:x`, `oci-archive:${ociArchive}:example.com/berth/skopeo:v2`]);
    const other = fresh();
    expect((await other.load(dockerArchive)).images).toEqual([expect.objectContaining({ id: httpd.id, names: ['docker.io/berth/skopeo:v1'] })]);
    expect((await other.load(ociArchive)).images).toEqual([expect.objectContaining({ id: httpd.id, names: ['example.com/berth/skopeo:v2'] })]);
  });

  describe('hostile archives fail clearly and leave the store as it was', () => {
    async function dockerArchive(name: string, entries: LayerEntry[]): Promise<string> {
      const file = join(dir, `${name}.tar`);
      await writeFile(file, await buildLayerTar(entries));
      return file;
    }
    async function expectRefused(file: string, expected: RegExp, type: typeof ImageError | typeof LayerError = ImageError): Promise<Error> {
      const before = await storeState(join(dir, 'store'));
      const err = await images.load(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(expected);
      expect(await storeState(join(dir, 'store'))).toEqual(before);
      return err as Error;
    }

    it('an entry whose path escapes the archive', async () => {
      const entries = dockerArchiveEntries(httpd, ['evil/escape:v1']);
      const file = await dockerArchive('dotdot', [{ path: '../../../../tmp/berth-evil', content: 'evil' }, ...entries]);
      await expectRefused(file, /archive entry "..\/..\/..\/..\/tmp\/berth-evil" has a '\.\.' component: it points outside the archive/);
      const abs = await dockerArchive('absolute', [...entries, { path: '/tmp/berth-evil-abs', content: 'evil' }]);
      await expectRefused(abs, /is an absolute path, outside the archive/);
      const link = await dockerArchive('symlink-out', [
        { type: 'symlink', path: 'up', target: '../../../etc' },
        ...entries.map((e) => (e.path === 'manifest.json' ? { path: 'manifest.json', content: JSON.stringify([{ Config: 'up/passwd', RepoTags: [], Layers: [] }]) } : e)),
      ]);
      await expectRefused(link, /archive entry "up" is a symlink to "\.\.\/\.\.\/\.\.\/etc", outside the archive/);
    });

    it('a manifest naming a layer the archive lacks', async () => {
      const entries = dockerArchiveEntries(httpd, ['evil/missing:v1']);
      const missing = `${layerDir(httpd, 1)}/layer.tar`;
      const file = await dockerArchive('missing-layer', entries.filter((e) => e.path !== missing));
      await expectRefused(file, new RegExp(`layer 1 of manifest.json entry 0 "${missing}" is not in the archive`));
    });

    it('a layer whose content does not match the diff ID, and an OCI blob that does not match its digest', async () => {
      const entries = dockerArchiveEntries(httpd, ['evil/mismatch:v1']);
      const topLayer = `${layerDir(httpd, 1)}/layer.tar`;
      const swapped = entries.map((e) => (e.path === topLayer ? { path: e.path, content: httpd.layers[0]?.tar as Buffer } : e));
      await expectRefused(await dockerArchive('diffid', swapped), /has content sha256:[a-f0-9]{64}, but the image config lists sha256:[a-f0-9]{64}: digest mismatch/);

      const config = entries.map((e) => (e.path === `${httpd.id.slice(7)}.json` ? { path: e.path, content: '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' } : e));
      await expectRefused(await dockerArchive('config', config), /config ".*\.json" has content of digest sha256:[a-f0-9]{64}: digest mismatch/);

      const layout = join(dir, 'bad-layout');
      await writeOciLayout(httpd, layout, 'example.com/evil/oci:v1');
      await writeFile(join(layout, 'blobs', 'sha256', httpd.layers[1]?.blob.digest.slice(7) as string), Buffer.from('not the layer'));
      const file = join(dir, 'bad-layout.tar');
      await run('tar', ['-C', layout, '-cf', file, '.']);
      await expectRefused(file, /layer blobs\/sha256\/[a-f0-9]{64} has content of digest sha256:[a-f0-9]{64}: digest mismatch/);
    });

    it('a layer with an unsafe entry: refused while unpacking, everything it added removed', async () => {
      const outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
      try {
        const tar = await buildLayerTar([{ type: 'symlink', path: 'escape', target: outside }, { path: 'escape/through-link', content: 'evil' }]);
        const image = buildImage({ layers: [...busybox.layers, layerFromTar(tar)] });
        const file = join(dir, 'unsafe.tar');
        await writeDockerArchive(image, file, ['evil/unsafe:v1']);
        const err = await expectRefused(file, /has a parent directory "escape" that is a symlink/, LayerError);
        expect(err).toMatchObject({ code: 'UNSAFE_ENTRY' });
        expect(await readdir(outside)).toEqual([]);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('something that is not an image archive', async () => {
      const file = join(dir, 'junk.tar');
      await writeFile(file, 'this is not a tar archive at all, not even close'.repeat(20));
      await expectRefused(file, /is not a readable tar|bad checksum/);
      const empty = join(dir, 'empty-dir');
      await mkdir(join(empty, 'x'), { recursive: true });
      const tarFile = join(dir, 'no-manifest.tar');
      await run('tar', ['-C', empty, '-cf', tarFile, '.']);
      await expectRefused(tarFile, /neither manifest.json \(docker-archive\) nor index.json \(OCI archive\)/);
    });
  });
});

function layerDir(image: BuiltImage, i: number): string {
  // testing's docker archive names layer dirs by chain ID; the first is the diff ID itself.
  const ids: string[] = [];
  for (const l of image.layers) ids.push(ids.length === 0 ? l.diffId : sha256Digest(Buffer.from(`${ids.at(-1)} ${l.diffId}`)));
  return (ids[i] as string).slice(7);
}
