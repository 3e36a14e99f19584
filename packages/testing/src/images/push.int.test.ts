import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../registry/free-port.ts';
import { startRegistry } from '../registry/start-registry.ts';
import type { RunningRegistry } from '../registry/start-registry.ts';
import { buildBusyboxImage, buildHttpdImage } from './busybox.ts';
import { MEDIA_TYPES, sha256Digest } from './digest.ts';
import { pushImage } from './push.ts';
import { RegistryAuthError, RegistryClient } from './registry-client.ts';

describe('pushImage to docker-registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes every blob and the manifest, which then pull back by tag', async () => {
    const image = await buildHttpdImage();
    const result = await pushImage(image, registry.url, 'berth/httpd', 'v1');
    expect(result.digest).toBe(image.digest);
    expect(result.configDigest).toBe(image.id);
    expect(result.uploaded).toEqual([...image.layers.map((l) => l.blob.digest), image.id]);
    expect(result.skipped).toEqual([]);

    const res = await fetch(`${registry.url}/v2/berth/httpd/manifests/v1`, { headers: { accept: MEDIA_TYPES.manifest } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    expect(res.headers.get('content-type')).toBe(MEDIA_TYPES.manifest);
    const body = Buffer.from(await res.arrayBuffer());
    expect(sha256Digest(body)).toBe(image.digest);

    const manifest = JSON.parse(body.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    for (const desc of [manifest.config, ...manifest.layers]) {
      const blob = await fetch(`${registry.url}/v2/berth/httpd/blobs/${desc.digest}`);
      expect(blob.status, desc.digest).toBe(200);
      const data = Buffer.from(await blob.arrayBuffer());
      expect(data.length).toBe(desc.size);
      expect(sha256Digest(data)).toBe(desc.digest);
    }
  });

  it('uploads nothing the second time, and only the new layer for an image sharing a base', async () => {
    const busybox = await buildBusyboxImage({ labels: { test: 'twice' } });
    const first = await pushImage(busybox, registry.url, 'berth/twice', 'latest');
    expect(first.uploaded).toHaveLength(2);
    const second = await pushImage(busybox, registry.url, 'berth/twice', 'latest');
    expect(second).toMatchObject({ digest: busybox.digest, uploaded: [], skipped: first.uploaded });

    // Same repo, different image with the same base layer: the base is skipped.
    const httpd = await buildHttpdImage();
    const third = await pushImage(httpd, registry.url, 'berth/twice', 'httpd');
    expect(third.skipped).toEqual([busybox.layers[0]?.blob.digest]);
    expect(third.uploaded).toEqual([httpd.layers[1]?.blob.digest, httpd.id]);
  });

  it('says which request failed when the registry is unreachable', async () => {
    const image = await buildBusyboxImage();
    const port = await freePort(); // free, so nothing answers there
    await expect(pushImage(image, `http://127.0.0.1:${port}`, 'berth/x', 'latest')).rejects.toThrow(
      new RegExp(`HEAD http://127\\.0\\.0\\.1:${port}/v2/berth/x/blobs/sha256:[0-9a-f]{64} failed: .*ECONNREFUSED`),
    );
  });
});

describe('pushImage with htpasswd auth', () => {
  const credentials = { username: 'berth', password: 's3cret pass' };
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: credentials });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('fails clearly without credentials or with wrong ones, and succeeds with them', async () => {
    const image = await buildBusyboxImage();
    await expect(pushImage(image, registry.url, 'berth/private', 'latest')).rejects.toThrow(RegistryAuthError);
    await expect(pushImage(image, registry.url, 'berth/private', 'latest')).rejects.toThrow(/requires authentication .*pass \{ username, password \}/);
    await expect(pushImage(image, registry.url, 'berth/private', 'latest', { ...credentials, password: 'wrong' })).rejects.toThrow(
      /refused the credentials of user "berth"/,
    );

    const result = await pushImage(image, registry.url, 'berth/private', 'latest', credentials);
    expect(result.digest).toBe(image.digest);

    const anonymous = await fetch(`${registry.url}/v2/berth/private/manifests/latest`);
    expect(anonymous.status).toBe(401);
    const client = new RegistryClient(registry.url, 'berth/private', credentials);
    const res = await client.expect('GET', 'manifests/latest', [200], { headers: { accept: MEDIA_TYPES.manifest } });
    expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    await res.body?.cancel();
  });
});
