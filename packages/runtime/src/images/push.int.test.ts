import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildHttpdImage, pushImage } from '@berth/testing/images';
import type { BuiltImage } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { RegistryError } from '../distribution/errors.ts';
import type { PushProgress } from './push.ts';
import { ImageService } from './service.ts';

/** A fetch that records "METHOD /path" of every request, to see what a push sent. */
function recordingFetch(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    requests.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    return fetch(input, init);
  };
  return { fetch: wrapped, requests };
}

describe('push to docker-registry', () => {
  let source: RunningRegistry;
  let target: RunningRegistry;
  let dir: string;
  let httpd: BuiltImage;
  let images: ImageService;
  const recorder = recordingFetch();

  beforeAll(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    httpd = await buildHttpdImage();
    await pushImage(await buildBusyboxImage(), source.url, 'berth/busybox', 'latest');
    await pushImage(httpd, source.url, 'berth/httpd', 'v1');
    dir = await mkdtemp(join(tmpdir(), 'berth-push-'));
    images = new ImageService({ root: join(dir, 'store'), registry: { fetch: recorder.fetch } });
    await images.pull(`${source.host}/berth/httpd:v1`);
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads every blob to an empty registry in chunks, then the manifest; a pull elsewhere gets the same image', async () => {
    const name = `${target.host}/berth/web:v1`;
    await images.tag(`${source.host}/berth/httpd:v1`, name);
    const events: PushProgress[] = [];
    recorder.requests.length = 0;
    const result = await images.push(name, { onProgress: (p) => events.push(p), chunkSize: 64 * 1024 });
    expect(result).toMatchObject({ reference: name, digest: httpd.digest, id: httpd.id, mounted: [], existing: [] });
    expect(result.uploaded.sort()).toEqual([httpd.config.digest, ...httpd.layers.map((l) => l.blob.digest)].sort());
    // The busybox layer is bigger than a chunk: it went in PATCHes.
    expect(recorder.requests.filter((r) => r.startsWith('PATCH ')).length).toBeGreaterThan(1);
    expect(recorder.requests.at(-1)).toBe('PUT /v2/berth/web/manifests/v1');
    const base = httpd.layers[0]?.blob;
    const baseEvents = events.filter((e) => e.digest === base?.digest);
    expect(baseEvents[0]?.status).toBe('waiting');
    expect(baseEvents.some((e) => e.status === 'pushing' && e.done > 0 && e.done < (base?.size ?? 0))).toBe(true);
    expect(baseEvents.at(-1)).toEqual({ digest: base?.digest, done: base?.size, total: base?.size, status: 'pushed' });
    expect((await images.inspect(name)).repoDigests).toContain(`${target.host}/berth/web@${httpd.digest}`);

    const other = new ImageService({ root: join(dir, 'other') });
    const pulled = await other.pull(name);
    expect(pulled).toMatchObject({ manifestDigest: result.digest, id: httpd.id, digest: httpd.digest });
  });

  it('a second push uploads no blob: HEAD finds them all', async () => {
    recorder.requests.length = 0;
    const events: PushProgress[] = [];
    const result = await images.push(`${target.host}/berth/web:v1`, { onProgress: (p) => events.push(p) });
    expect(result.uploaded).toEqual([]);
    expect(result.existing).toHaveLength(3);
    expect(recorder.requests.filter((r) => /^(POST|PATCH) /.test(r) || /^PUT .*\/blobs\//.test(r))).toEqual([]);
    expect(events.filter((e) => e.status !== 'waiting').every((e) => e.status === 'already exists')).toBe(true);
  });

  it('mounts blobs from the repository the image came from on the same registry', async () => {
    const name = `${source.host}/berth/copy:v2`;
    await images.tag(httpd.id, name);
    const result = await images.push(name);
    expect(result.uploaded).toEqual([]);
    expect(result.mounted.sort()).toEqual([httpd.config.digest, ...httpd.layers.map((l) => l.blob.digest)].sort());
    const other = new ImageService({ root: join(dir, 'mounted') });
    expect(await other.pull(name)).toMatchObject({ manifestDigest: httpd.digest, id: httpd.id });
  });

  it('refuses what it cannot push, naming it', async () => {
    await expect(images.push(`${target.host}/berth/nothing:v1`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.push(`${target.host}/berth/web@${httpd.digest}`)).rejects.toThrow(/by digest: tag the image/);
  });
});

describe('push to docker-registry with htpasswd', () => {
  const credentials = { username: 'berth', password: 'push pass' };
  let registry: RunningRegistry;
  let dir: string;
  let busybox: BuiltImage;

  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: credentials });
    busybox = await buildBusyboxImage({ labels: { pushed: 'with-auth' } });
    await pushImage(busybox, registry.url, 'berth/src', 'latest', credentials);
    dir = await mkdtemp(join(tmpdir(), 'berth-push-auth-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails with UNAUTHORIZED without credentials and pushes with them', async () => {
    const images = new ImageService({ root: join(dir, 'store') });
    await images.pull(`${registry.host}/berth/src`, { credentials });
    const name = `${registry.host}/berth/dst:latest`;
    await images.tag(`${registry.host}/berth/src`, name);
    const err = await images.push(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', registry: registry.host });
    await expect(images.push(name, { credentials: { ...credentials, password: 'wrong' } })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const result = await images.push(name, { credentials });
    expect(result).toMatchObject({ digest: busybox.digest, id: busybox.id });
    const other = new ImageService({ root: join(dir, 'other') });
    expect(await other.pull(name, { credentials })).toMatchObject({ manifestDigest: busybox.digest, id: busybox.id });
  });
});
