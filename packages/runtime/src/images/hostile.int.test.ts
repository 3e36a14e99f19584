// Hostile layers against the real registry; faulty blobs and auth flows against the double.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildImage, buildLayerTar, layerFromTar, pushImage } from '@berth/testing/images';
import type { BuiltImage, LayerEntry } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { startRegistryDouble } from '../distribution/fixtures/registry-double.ts';
import type { BlobFault, RegistryDouble } from '../distribution/fixtures/registry-double.ts';
import { LayerError } from '../snapshots/errors.ts';
import { ImageService } from './service.ts';

async function storeState(root: string): Promise<{ blobs: string[]; layers: string[]; ingest: string[]; index: unknown }> {
  const list = async (dir: string) => (await readdir(join(root, dir)).catch(() => [] as string[])).sort();
  const index = await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'index.json'), 'utf8')).catch(() => 'none');
  return { blobs: await list('blobs/sha256'), layers: await list('layers'), ingest: await list('ingest'), index };
}

describe('hostile layers fail the pull, naming the entry, and leave nothing behind', () => {
  let registry: RunningRegistry;
  let root: string;
  let outside: string;
  let images: ImageService;

  beforeAll(async () => {
    registry = await startRegistry();
    root = await mkdtemp(join(tmpdir(), 'berth-hostile-'));
    outside = await mkdtemp(join(tmpdir(), 'berth-outside-'));
    images = new ImageService({ root: join(root, 'store') });
    // A good image first, so "as before" is not just "empty".
    await pushImage(await buildBusyboxImage(), registry.url, 'berth/good', 'latest');
    await images.pull(`${registry.host}/berth/good`);
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  const cases: { name: string; entries: () => LayerEntry[]; entry: string; message: RegExp }[] = [
    { name: 'dot-dot path', entries: () => [{ path: 'ok', content: 'fine' }, { path: `../../../../../..${outside}/dotdot`, content: 'evil' }], entry: 'dotdot', message: /has a '\.\.' component/ },
    { name: 'absolute path', entries: () => [{ path: `${outside}/absolute`, content: 'evil' }], entry: 'absolute', message: /has an absolute path/ },
    {
      name: 'symlinked parent',
      entries: () => [{ type: 'symlink', path: 'escape', target: outside }, { path: 'escape/through-link', content: 'evil' }],
      entry: 'escape/through-link',
      message: /has a parent directory "escape" that is a symlink/,
    },
    {
      name: 'hardlink out',
      entries: () => [{ type: 'hardlink', path: 'passwd', target: '../../../../../../etc/passwd' }],
      entry: 'passwd',
      message: /is a hardlink to "..\/..\/..\/..\/..\/..\/etc\/passwd", outside the layer/,
    },
    {
      name: 'hardlink to an escaping symlink',
      entries: () => [{ type: 'symlink', path: 'up', target: '../../../../../etc/shadow' }, { type: 'hardlink', path: 'shadow', target: 'up' }],
      entry: 'shadow',
      message: /is a hardlink to the symlink "up", which points outside the layer/,
    },
  ];

  it.each(cases)('$name', async ({ name, entries, entry, message }) => {
    const tar = await buildLayerTar(entries());
    const image = buildImage({ layers: [layerFromTar(tar)] });
    const repo = `berth/hostile-${name.replace(/[^a-z]+/g, '-')}`;
    await pushImage(image, registry.url, repo, 'latest');
    const before = await storeState(join(root, 'store'));

    const err = await images.pull(`${registry.host}/${repo}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect(err).toMatchObject({ code: 'UNSAFE_ENTRY' });
    expect((err as LayerError).entry).toContain(entry);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(entry);

    expect(await readdir(outside)).toEqual([]);
    expect(await storeState(join(root, 'store'))).toEqual(before);
    expect((await images.list()).map((r) => r.repository)).toEqual([`${registry.host}/berth/good`]);
  });

  it('keeps symlinks pointing anywhere, device nodes, fifos, setuid bits and owners', async () => {
    const tar = await buildLayerTar([
      { type: 'dir', path: 'dev/' },
      { type: 'symlink', path: 'abs-link', target: '/etc/passwd' },
      { type: 'symlink', path: 'up-link', target: '../../../../etc' },
      { type: 'character-device', path: 'dev/null', major: 1, minor: 3, mode: 0o666 },
      { type: 'block-device', path: 'dev/loop9', major: 7, minor: 9, mode: 0o660 },
      { type: 'fifo', path: 'pipe', mode: 0o600 },
      { path: 'suid', content: '#!/bin/sh\n', mode: 0o4755, uid: 0, gid: 0 },
      { path: 'owned', content: 'x', uid: 1234, gid: 5678, mode: 0o640 },
      { path: 'a', content: 'same inode' },
      { type: 'hardlink', path: 'b', target: 'a' },
    ]);
    const image = buildImage({ layers: [layerFromTar(tar)] });
    await pushImage(image, registry.url, 'berth/special', 'latest');
    await images.pull(`${registry.host}/berth/special`);
    const [rootfs] = (await images.prepare(`${registry.host}/berth/special`)).lowerdirs;
    const fs = await import('node:fs/promises');
    const at = (p: string) => fs.lstat(join(rootfs as string, p));
    expect(await fs.readlink(join(rootfs as string, 'abs-link'))).toBe('/etc/passwd');
    expect(await fs.readlink(join(rootfs as string, 'up-link'))).toBe('../../../../etc');
    const nul = await at('dev/null');
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe((1 << 8) | 3);
    expect((await at('dev/loop9')).isBlockDevice()).toBe(true);
    expect((await at('pipe')).isFIFO()).toBe(true);
    expect((await at('suid')).mode & 0o7777).toBe(0o4755);
    expect(await at('owned')).toMatchObject({ uid: 1234, gid: 5678 });
    expect((await at('owned')).mode & 0o777).toBe(0o640);
    expect((await at('b')).ino).toBe((await at('a')).ino);
  });
});

describe('faulty blobs from a registry double', () => {
  let root: string;
  let base: BuiltImage;
  let double: RegistryDouble;
  const repo = 'berth/faulty';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-faults-'));
    base = await buildBusyboxImage();
    const blobs = Object.fromEntries([[base.id, base.config.data], ...base.layers.map((l) => [l.blob.digest, l.blob.data])]);
    double = await startRegistryDouble({ manifests: { latest: { mediaType: base.manifest.mediaType, data: base.manifest.data } }, blobs });
  });
  afterAll(async () => {
    await double?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const layerDigest = (): string => base.layers[0]?.blob.digest as string;

  it.each<[BlobFault, RegExp, string]>([
    ['oversize', /is bigger than the \d+ bytes its descriptor says/, 'SIZE_MISMATCH'],
    ['wrong-digest', /arrived with digest sha256:[a-f0-9]{64}: the registry sent other content/, 'DIGEST_MISMATCH'],
  ])('%s: fails, and leaves no blob and no partial file', async (fault, message, code) => {
    const store = join(root, fault);
    const images = new ImageService({ root: store });
    double.options.faults = { [layerDigest()]: fault };
    const err = await images.pull(`${double.host}/${repo}`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code, digest: layerDigest() });
    expect((err as Error).message).toMatch(message);
    const state = await storeState(store);
    expect(state.blobs).toEqual([]);
    expect(state.ingest).toEqual([]);
    expect(state.layers).toEqual([]);
    expect(await images.list()).toEqual([]);
  });

  it('truncated: fails without a blob, keeps the verified prefix, and the next pull resumes with Range', async () => {
    const store = join(root, 'truncate');
    const images = new ImageService({ root: store });
    double.options.faults = { [layerDigest()]: 'truncate' };
    double.bytesSent.clear();
    const err = await images.pull(`${double.host}/${repo}`).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERRUPTED', digest: layerDigest() });
    expect((err as Error).message).toMatch(/stopped after \d+ of \d+ bytes/);
    const state = await storeState(store);
    expect(state.blobs).not.toContain(layerDigest().slice(7));
    expect(state.ingest).toEqual([`${layerDigest().slice(7)}.partial`]);
    expect(await images.list()).toEqual([]);
    // What arrived before the connection dropped (at most the half the double sent) is kept.
    const kept = (await stat(join(store, 'ingest', `${layerDigest().slice(7)}.partial`))).size;
    const size = base.layers[0]?.blob.size as number;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(Math.floor(size / 2));

    double.options.faults = {};
    double.bytesSent.clear();
    double.requests.length = 0;
    await images.pull(`${double.host}/${repo}`);
    const ranges = double.requests.filter((r) => r.path.endsWith(layerDigest())).map((r) => r.headers.range);
    expect(ranges).toEqual([`bytes=${kept}-`]);
    expect(double.bytesSent.get(layerDigest())).toBe(size - kept);
    expect((await storeState(store)).ingest).toEqual([]);
  });

  it('starts over when the registry ignores Range', async () => {
    const store = join(root, 'norange');
    const images = new ImageService({ root: store });
    await mkdir(join(store, 'ingest'), { recursive: true });
    const data = base.layers[0]?.blob.data as Buffer;
    await writeFile(join(store, 'ingest', `${layerDigest().slice(7)}.partial`), data.subarray(0, 1000));
    double.options.faults = { [layerDigest()]: 'no-range' };
    double.bytesSent.clear();
    expect(await images.pull(`${double.host}/${repo}`)).toMatchObject({ id: base.id });
    expect(double.bytesSent.get(layerDigest())).toBe(data.length);
  });

  it('prune removes partial downloads left by failed pulls', async () => {
    const store = join(root, 'prune');
    const images = new ImageService({ root: store });
    double.options.faults = { [layerDigest()]: 'truncate' };
    await images.pull(`${double.host}/${repo}`).catch(() => {});
    expect((await storeState(store)).ingest).toHaveLength(1);
    const pruned = await images.prune();
    expect(pruned.spaceReclaimed).toBeGreaterThan(0);
    expect(await storeState(store)).toMatchObject({ blobs: [], ingest: [], layers: [] });
    double.options.faults = {};
  });

  it('reports garbage manifests clearly', async () => {
    const garbage = await startRegistryDouble({ manifests: { latest: { mediaType: 'application/vnd.oci.image.manifest.v1+json', data: '{"schemaVersion": 2, "config": 7' } } });
    try {
      const images = new ImageService({ root: join(root, 'garbage') });
      await expect(images.pull(`${garbage.host}/x/y`)).rejects.toThrow(`registry ${garbage.host} answered ${garbage.host}/x/y:latest with an invalid manifest: not valid JSON`);
    } finally {
      await garbage.close();
    }
  });

  it('names the platforms an index offers when none fits the host', async () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: base.manifest.mediaType, digest: base.digest, size: base.manifest.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: base.manifest.mediaType, digest: base.digest, size: base.manifest.size, platform: { os: 'windows', architecture: 'amd64' } },
      ],
    };
    const data = JSON.stringify(index);
    const multi = await startRegistryDouble({ manifests: { latest: { mediaType: index.mediaType, data } } });
    try {
      const images = new ImageService({ root: join(root, 'platform'), platform: { os: 'linux', architecture: 'amd64' } });
      await expect(images.pull(`${multi.host}/x/multi`)).rejects.toThrow(`image ${multi.host}/x/multi:latest has no manifest for linux/amd64; it has linux/arm64/v8, windows/amd64`);
    } finally {
      await multi.close();
    }
  });

  it('selects the host platform from an index and records the index digest as repo digest', async () => {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: base.manifest.mediaType, digest: `sha256:${'b'.repeat(64)}`, size: 10, platform: { os: 'linux', architecture: 'riscv64' } },
        { mediaType: base.manifest.mediaType, digest: base.digest, size: base.manifest.size, platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    const indexDigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    double.options.manifests = { ...double.options.manifests, multi: { mediaType: 'application/vnd.oci.image.index.v1+json', data: index }, [base.digest]: { mediaType: base.manifest.mediaType, data: base.manifest.data } };
    const images = new ImageService({ root: join(root, 'index'), platform: { os: 'linux', architecture: 'amd64' } });
    const result = await images.pull(`${double.host}/${repo}:multi`);
    expect(result).toMatchObject({ digest: indexDigest, manifestDigest: base.digest, id: base.id });
    expect((await images.inspect(`${double.host}/${repo}:multi`)).repoDigests).toEqual([`${double.host}/${repo}@${indexDigest}`]);
  });
});

describe('Bearer token auth and redirects (double)', () => {
  let root: string;
  let base: BuiltImage;
  const credentials = { username: 'alice', password: 'pw' };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-bearer-'));
    base = await buildBusyboxImage();
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('gets a scoped token with the credentials, caches it, and never sends it to a redirect target', async () => {
    const blobs = Object.fromEntries([[base.id, base.config.data], ...base.layers.map((l) => [l.blob.digest, l.blob.data])]);
    const storage = await startRegistryDouble({ blobs });
    const double = await startRegistryDouble({
      manifests: { latest: { mediaType: base.manifest.mediaType, data: base.manifest.data } },
      bearer: credentials,
      redirectBlobsTo: storage.url,
    });
    try {
      const wrong = new ImageService({ root: join(root, 'wrong') });
      await expect(wrong.pull(`${double.host}/team/app`, { credentials: { ...credentials, password: 'nope' } })).rejects.toThrow(
        `token server ${double.url} of registry ${double.host} refused the credentials of user "alice" for repository:team/app:pull: check the username and password`,
      );
      const images = new ImageService({ root: join(root, 'ok') });
      expect(await images.pull(`${double.host}/team/app`, { credentials })).toMatchObject({ id: base.id });
      const tokenRequests = double.requests.filter((r) => r.path.startsWith('/token'));
      // One for the failed attempt, one for the pull: the token is reused for every request after.
      expect(tokenRequests.map((r) => new URL(r.path, 'http://x').searchParams.get('scope'))).toEqual(['repository:team/app:pull', 'repository:team/app:pull']);
      expect(double.requests.filter((r) => r.path.includes('/blobs/')).every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
      expect(storage.requests.length).toBeGreaterThan(0);
      expect(storage.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
      expect(existsSync(join(root, 'ok', 'blobs', 'sha256', base.id.slice(7)))).toBe(true);
    } finally {
      await double.close();
      await storage.close();
    }
  });
});
