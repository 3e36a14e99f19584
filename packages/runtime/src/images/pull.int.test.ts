import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildHttpdImage, pushImage } from '@berth/testing/images';
import type { BuiltImage } from '@berth/testing/images';
import { freePort, startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { RegistryError } from '../distribution/errors.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { ImageError } from './errors.ts';
import type { LayerProgress } from './pull.ts';
import { ImageService } from './service.ts';

/** A fetch that counts response body bytes per URL path, to see what a pull downloaded. */
function countingFetch(): { fetch: typeof fetch; bytes: () => number; reset: () => void } {
  let total = 0;
  const wrapped: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(res.body.pipeThrough(counter), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { fetch: wrapped, bytes: () => total, reset: () => (total = 0) };
}

describe('ImageService against docker-registry', () => {
  let registry: RunningRegistry;
  let root: string;
  let busybox: BuiltImage;
  let httpd: BuiltImage;
  const counter = countingFetch();
  let images: ImageService;

  beforeAll(async () => {
    registry = await startRegistry();
    busybox = await buildBusyboxImage();
    httpd = await buildHttpdImage();
    await pushImage(busybox, registry.url, 'berth/busybox', 'latest');
    await pushImage(httpd, registry.url, 'berth/httpd', 'v1');
    root = await mkdtemp(join(tmpdir(), 'berth-images-'));
    images = new ImageService({ root, registry: { fetch: counter.fetch } });
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('pulls by tag: blobs verified into the layout, layers unpacked, the name recorded', async () => {
    const events: LayerProgress[] = [];
    const result = await images.pull(`${registry.host}/berth/busybox`, { onProgress: (p) => events.push(p) });
    expect(result).toMatchObject({ reference: `${registry.host}/berth/busybox:latest`, id: busybox.id, digest: busybox.digest, upToDate: false });

    const layer = busybox.layers[0]?.blob;
    expect(events.filter((e) => e.digest === layer?.digest).map((e) => e.status)).toEqual(expect.arrayContaining(['waiting', 'downloading', 'verifying', 'extracting', 'complete']));
    expect(events.at(-1)).toEqual({ digest: layer?.digest, done: layer?.size, total: layer?.size, status: 'complete' });

    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    for (const digest of [busybox.digest, busybox.id, layer?.digest as string]) {
      expect(existsSync(join(root, 'blobs', 'sha256', digest.slice(7))), digest).toBe(true);
    }
    const [chain] = chainIds([busybox.layers[0]?.diffId as string]);
    const bin = await lstat(join(root, 'layers', (chain as string).slice(7), 'diff', 'bin', 'busybox'));
    expect(bin.mode & 0o7777).toBe(0o755);
    expect(bin.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');

    const list = await images.list();
    expect(list).toEqual([
      expect.objectContaining({ repository: `${registry.host}/berth/busybox`, tag: 'latest', id: busybox.id, digest: busybox.digest, created: '2024-01-01T00:00:00Z', dangling: false }),
    ]);
    expect(list[0]?.size).toBeGreaterThan(500_000);
  });

  it('pulls again without downloading anything: every layer "already exists"', async () => {
    counter.reset();
    const events: LayerProgress[] = [];
    const result = await images.pull(`${registry.host}/berth/busybox:latest`, { onProgress: (p) => events.push(p) });
    expect(result.upToDate).toBe(true);
    expect(result.downloadedBytes).toBe(0);
    expect(events.map((e) => e.status)).toEqual(['already exists']);
    // Only the manifest crossed the wire.
    expect(counter.bytes()).toBe(busybox.manifest.size);
  });

  it('pulls an image sharing the base layer by downloading only its top layer', async () => {
    counter.reset();
    const events: LayerProgress[] = [];
    const result = await images.pull(`${registry.host}/berth/httpd:v1`, { onProgress: (p) => events.push(p) });
    const top = httpd.layers[1]?.blob;
    expect(result.downloadedBytes).toBe((top?.size ?? 0) + httpd.config.size);
    expect(counter.bytes()).toBe((top?.size ?? 0) + httpd.config.size + httpd.manifest.size);
    expect(events.find((e) => e.digest === httpd.layers[0]?.blob.digest)?.status).toBe('already exists');
    expect(events.filter((e) => e.digest === top?.digest).at(-1)?.status).toBe('complete');
  });

  it('pulls by digest and lists it without a tag', async () => {
    const result = await images.pull(`${registry.host}/berth/httpd@${httpd.digest}`);
    expect(result.reference).toBe(`${registry.host}/berth/httpd@${httpd.digest}`);
    const rows = (await images.list()).filter((r) => r.id === httpd.id);
    expect(rows.map((r) => r.tag).sort()).toEqual(['<none>', 'v1']);
    expect(rows.every((r) => r.digest === httpd.digest)).toBe(true);
  });

  it('inspects and shows history', async () => {
    const info = await images.inspect(`${registry.host}/berth/httpd:v1`);
    expect(info).toMatchObject({
      id: httpd.id,
      repoTags: [`${registry.host}/berth/httpd:v1`],
      repoDigests: [`${registry.host}/berth/httpd@${httpd.digest}`],
      os: 'linux',
      rootfs: { type: 'layers', diffIds: httpd.layers.map((l) => l.diffId) },
      config: { Cmd: ['httpd', '-f', '-p', '80', '-h', '/var/www'] },
    });
    expect(await images.inspect(httpd.id.slice(7, 19))).toMatchObject({ id: httpd.id });
    const history = await images.history(`${registry.host}/berth/httpd:v1`);
    expect(history.map((h) => h.id)).toEqual([httpd.id, '<missing>']);
    expect(history[0]).toMatchObject({ createdBy: 'berth-testing extra layer 1', size: 17 });
  });

  it('names the reference when the tag or repository is unknown', async () => {
    const err = await images.pull(`${registry.host}/berth/busybox:nope`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', registry: registry.host });
    expect((err as Error).message).toBe(`manifest ${registry.host}/berth/busybox:nope not found on registry ${registry.host}: check the repository name and tag`);
    await expect(images.pull(`${registry.host}/berth/nothing`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says the registry is down when nothing listens', async () => {
    const port = await freePort();
    await expect(images.pull(`127.0.0.1:${port}/berth/busybox`)).rejects.toThrow(
      new RegExp(`registry 127\\.0\\.0\\.1:${port} is unreachable at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });

  it('refuses an image built for another platform, naming both', async () => {
    const arm = await buildBusyboxImage({ architecture: 's390x' });
    await pushImage(arm, registry.url, 'berth/s390x', 'latest');
    await expect(images.pull(`${registry.host}/berth/s390x`, { platform: { os: 'linux', architecture: 'amd64' } })).rejects.toThrow(
      /image .*berth\/s390x:latest is for linux\/s390x, not linux\/amd64/,
    );
    expect((await images.list()).some((r) => r.id === arm.id)).toBe(false);
  });

  it('pulls from a docker.io mirror, falling back past one that is down', async () => {
    await pushImage(busybox, registry.url, 'library/busybox', 'latest');
    const down = `http://127.0.0.1:${await freePort()}`;
    const mirrored = new ImageService({ root: join(root, 'mirrored'), registry: { registryMirrors: [down, registry.url], servers: { 'docker.io': down } } });
    const result = await mirrored.pull('busybox');
    expect(result).toMatchObject({ reference: 'docker.io/library/busybox:latest', id: busybox.id });
    expect((await mirrored.list())[0]).toMatchObject({ repository: 'busybox', tag: 'latest' });
    // And past a mirror to the registry itself.
    const fallback = new ImageService({ root: join(root, 'fallback'), registry: { registryMirrors: [down], servers: { 'docker.io': registry.url } } });
    expect(await fallback.pull('busybox:latest')).toMatchObject({ id: busybox.id });
  });
});

describe('ImageService against docker-registry with htpasswd', () => {
  const credentials = { username: 'berth', password: 'right pass' };
  let registry: RunningRegistry;
  let root: string;
  let busybox: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: credentials });
    busybox = await buildBusyboxImage();
    await pushImage(busybox, registry.url, 'berth/private', 'latest', credentials);
    root = await mkdtemp(join(tmpdir(), 'berth-images-auth-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('fails clearly without or with wrong credentials, leaving nothing, and pulls with them', async () => {
    const images = new ImageService({ root });
    const ref = `${registry.host}/berth/private`;
    await expect(images.pull(ref)).rejects.toThrow(`registry ${registry.host} requires authentication for ${registry.host}/berth/private: log in to ${registry.host} first`);
    const err = await images.pull(ref, { credentials: { ...credentials, password: 'wrong' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', registry: registry.host });
    expect((err as Error).message).toBe(`registry ${registry.host} refused the credentials of user "berth": check the username and password`);
    expect(await images.list()).toEqual([]);
    expect(await readdir(join(root, 'blobs', 'sha256'))).toEqual([]);

    const looked: string[] = [];
    const withLookup = new ImageService({ root, registry: { credentials: (r) => (looked.push(r), credentials) } });
    expect(await withLookup.pull(ref)).toMatchObject({ id: busybox.id });
    expect(looked).toContain(registry.host);
  });
});

describe('ImageService errors', () => {
  it('refuses a malformed reference before any request', async () => {
    const images = new ImageService({ root: join(tmpdir(), 'berth-never-created') });
    await expect(images.pull('Busybox')).rejects.toThrow('invalid reference "Busybox": repository name "Busybox" must be lowercase');
    await expect(images.inspect('nothing-here')).rejects.toBeInstanceOf(ImageError);
    await rm(join(tmpdir(), 'berth-never-created'), { recursive: true, force: true });
  });
});
