import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildHttpdImage, pushImage } from '@berth/testing/images';
import type { BuiltImage } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { chainIds } from '../snapshots/snapshotter.ts';
import { ImageService } from './service.ts';

describe('tag, rmi and prune, as docker does them', () => {
  let registry: RunningRegistry;
  let dir: string;
  let busybox: BuiltImage;
  let httpd: BuiltImage;
  let images: ImageService;
  let root: string;
  let n = 0;
  const bb = (): string => `${registry.host}/berth/busybox:latest`;
  const web = (): string => `${registry.host}/berth/httpd:v1`;
  const blobs = async (): Promise<string[]> => (await readdir(join(root, 'blobs', 'sha256'))).map((h) => `sha256:${h}`).sort();
  const layers = async (): Promise<string[]> => (await readdir(join(root, 'layers'))).filter((h) => !h.startsWith('.')).map((h) => `sha256:${h}`).sort();

  beforeAll(async () => {
    registry = await startRegistry();
    busybox = await buildBusyboxImage();
    httpd = await buildHttpdImage();
    await pushImage(busybox, registry.url, 'berth/busybox', 'latest');
    await pushImage(httpd, registry.url, 'berth/httpd', 'v1');
    dir = await mkdtemp(join(tmpdir(), 'berth-rmi-'));
  });
  beforeEach(async () => {
    root = join(dir, `store-${n++}`);
    images = new ImageService({ root });
    await images.pull(bb());
    await images.pull(web());
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('tags by name or ID, and removing one of several names only untags', async () => {
    await images.tag(bb(), 'mine/app:v1');
    await images.tag(busybox.id.slice(7, 19), 'localhost:5000/app');
    expect((await images.list()).filter((r) => r.id === busybox.id).map((r) => `${r.repository}:${r.tag}`).sort()).toEqual([
      `${registry.host}/berth/busybox:latest`,
      'localhost:5000/app:latest',
      'mine/app:v1',
    ]);
    expect(await images.remove('mine/app:v1')).toEqual([{ untagged: 'mine/app:v1' }]);
    expect(await images.remove(bb())).toEqual([{ untagged: `${registry.host}/berth/busybox:latest` }]);
    expect((await images.inspect('localhost:5000/app')).id).toBe(busybox.id);
    expect(await blobs()).toContain(busybox.digest);
  });

  it('removing the last name deletes the image and the layers no other image uses', async () => {
    const before = await blobs();
    const [base, top] = chainIds(httpd.layers.map((l) => l.diffId));
    const events = await images.remove(web());
    expect(events).toEqual([{ untagged: `${registry.host}/berth/httpd:v1` }, { deleted: httpd.id }, { deleted: top }]);
    // The base layer is busybox's too: kept, blob and unpacked layer.
    expect(await layers()).toEqual([base]);
    expect(await blobs()).toEqual(before.filter((d) => ![httpd.digest, httpd.id, httpd.layers[1]?.blob.digest].includes(d)));
    await expect(images.inspect(web())).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await images.remove(bb());
    expect(await layers()).toEqual([]);
    expect(await blobs()).toEqual([]);
    expect(await images.list()).toEqual([]);
  });

  it('refuses with a conflict naming the container while one uses the image; force only untags', async () => {
    const isImageInUse = (id: string) => (id === busybox.id ? 'web-1' : false);
    await expect(images.remove(bb(), { isImageInUse })).rejects.toThrow(
      `unable to remove ${registry.host}/berth/busybox:latest: container web-1 is using image ${busybox.id} (stop and remove it, or force to untag only)`,
    );
    await expect(images.remove(busybox.id, { isImageInUse })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await images.remove(bb(), { isImageInUse, force: true })).toEqual([{ untagged: `${registry.host}/berth/busybox:latest` }]);
    const dangling = await images.list({ dangling: true });
    expect(dangling).toEqual([expect.objectContaining({ repository: '<none>', tag: '<none>', id: busybox.id, dangling: true })]);
    // The layers the container needs are all still there.
    expect(await layers()).toContain(chainIds([busybox.layers[0]?.diffId as string])[0]);
    // Prune leaves an image in use alone, and removes it once unused.
    expect((await images.prune({ isImageInUse })).deleted).toEqual([]);
    expect((await images.prune()).deleted).toEqual([busybox.id]);
    expect(await images.list({ dangling: true })).toEqual([]);
  });

  it('refuses to delete by ID an image named in several repositories unless forced', async () => {
    await images.tag(bb(), 'other/repo:x');
    await expect(images.remove(busybox.id)).rejects.toThrow(/referenced in 2 repositories/);
    const events = await images.remove(busybox.id, { force: true });
    expect(events).toEqual([{ untagged: `${registry.host}/berth/busybox:latest` }, { untagged: 'other/repo:x' }, { deleted: busybox.id }]);
  });

  it('a tag moved to another image leaves the old one dangling; prune collects it and its layers', async () => {
    await images.tag(web(), bb());
    const dangling = await images.list({ dangling: true });
    expect(dangling.map((r) => r.id)).toEqual([busybox.id]);
    const pruned = await images.prune();
    expect(pruned.deleted).toEqual([busybox.id]);
    // httpd shares busybox's only layer, so every layer stays; busybox's config and manifest go.
    expect(await layers()).toEqual(chainIds(httpd.layers.map((l) => l.diffId)).sort());
    const left = await blobs();
    expect(left).not.toContain(busybox.id);
    expect(left).not.toContain(busybox.digest);
    expect(left).toContain(busybox.layers[0]?.blob.digest);
  });

  it('says which image is missing', async () => {
    await expect(images.remove('nothing:here')).rejects.toThrow('no such image: nothing:here (docker.io/library/nothing:here)');
    await expect(images.tag('nothing', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.tag(bb(), `x@sha256:${'a'.repeat(64)}`)).rejects.toThrow(/a tag cannot be created with a digest reference/);
  });
});
