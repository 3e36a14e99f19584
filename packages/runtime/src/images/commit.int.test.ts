// commit of a hand-made overlay upper dir (whiteout devices, an opaque dir, hardlinks, xattrs),
// checked through a real overlay mount of the new image; history of pulled images; system df.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxImage, MEDIA_TYPES, pushImage, sha256Digest } from '@berth/testing/images';
import type { BuiltImage } from '@berth/testing/images';
import { startRegistry } from '@berth/testing/registry';
import type { RunningRegistry } from '@berth/testing/registry';
import { decompress } from '../snapshots/decompress.ts';
import { readTar } from '../snapshots/tar-reader.ts';
import type { TarHeader } from '../snapshots/tar-reader.ts';
import { parseGetfattrDump } from './commit.ts';
import { directoryUsage } from './disk-usage.ts';
import { ImageService } from './service.ts';

const run = promisify(execFile);

/** An image whose history has a step without a layer (ENV), as Dockerfile builds give. */
function withEmptyLayerStep(base: BuiltImage): BuiltImage {
  const config = JSON.parse(base.config.data.toString()) as { history: object[] };
  config.history = [config.history[0] as object, { created: '2024-01-02T00:00:00Z', created_by: '/bin/sh -c #(nop)  ENV A=b', empty_layer: true }, ...config.history.slice(1)];
  const configData = Buffer.from(JSON.stringify(config));
  const configBlob = { mediaType: MEDIA_TYPES.config, digest: sha256Digest(configData), size: configData.length, data: configData };
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: configBlob.mediaType, digest: configBlob.digest, size: configBlob.size },
    layers: base.layers.map((l) => ({ mediaType: l.blob.mediaType, digest: l.blob.digest, size: l.blob.size })),
  };
  const manifestData = Buffer.from(JSON.stringify(manifest));
  const manifestBlob = { mediaType: MEDIA_TYPES.manifest, digest: sha256Digest(manifestData), size: manifestData.length, data: manifestData };
  return { manifest: manifestBlob, config: configBlob, layers: base.layers, digest: manifestBlob.digest, id: configBlob.digest };
}

describe('commit, history and disk usage', () => {
  let registry: RunningRegistry;
  let dir: string;
  let parent: BuiltImage;
  let images: ImageService;
  const parentName = (): string => `${registry.host}/berth/parent:v1`;

  beforeAll(async () => {
    registry = await startRegistry();
    parent = withEmptyLayerStep(
      await buildBusyboxImage({
        extraLayers: [
          [
            { path: 'etc/motd', content: 'deleted in the container\n' },
            { path: 'var/www/old.html', content: 'hidden by the opaque dir\n' },
            { path: 'var/www/index.html', content: 'lower\n' },
          ],
        ],
      }),
    );
    await pushImage(parent, registry.url, 'berth/parent', 'v1');
    dir = await mkdtemp(join(tmpdir(), 'berth-commit-'));
    images = new ImageService({ root: join(dir, 'store') });
    await images.pull(parentName());
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('history of a pulled image: created, created_by and the unpacked size of each step, top first', async () => {
    const history = await images.history(parentName());
    expect(history.map((h) => [h.id, h.created, h.createdBy, h.emptyLayer])).toEqual([
      [parent.id, '2024-01-01T00:00:00Z', 'berth-testing extra layer 1', false],
      ['<missing>', '2024-01-02T00:00:00Z', '/bin/sh -c #(nop)  ENV A=b', true],
      ['<missing>', '2024-01-01T00:00:00Z', 'COPY /bin/busybox /bin/busybox # berth-testing', false],
    ]);
    expect(history[0]?.size).toBe('deleted in the container\n'.length + 'hidden by the opaque dir\n'.length + 'lower\n'.length);
    expect(history[1]?.size).toBe(0);
    expect(history[2]?.size).toBeGreaterThan(500_000);
  });

  it('commits an upper dir: whiteouts and opaque dirs become OCI, the overlay of the new image shows the container', async () => {
    const upper = join(dir, 'upper');
    await mkdir(join(upper, 'etc'), { recursive: true });
    await writeFile(join(upper, 'etc', 'new.conf'), 'new\n');
    await chmod(join(upper, 'etc', 'new.conf'), 0o640);
    await chown(join(upper, 'etc', 'new.conf'), 1000, 1000);
    await run('mknod', [join(upper, 'etc', 'motd'), 'c', '0', '0']);
    await mkdir(join(upper, 'var', 'www'), { recursive: true });
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'var', 'www')]);
    await writeFile(join(upper, 'var', 'www', 'fresh.html'), 'fresh\n');
    await mkdir(join(upper, 'data'));
    await writeFile(join(upper, 'data', 'a'), 'linked\n');
    await link(join(upper, 'data', 'a'), join(upper, 'data', 'b'));
    await run('setfattr', ['-n', 'user.note', '-v', 'kept', join(upper, 'data', 'a')]);
    await symlink('/bin/busybox', join(upper, 'data', 'shell'));

    const result = await images.commit({
      upperDir: upper,
      parentReference: parentName(),
      reference: 'berth/committed:v1',
      author: 'Berth Tester <t@example.com>',
      message: 'hand-made upper dir',
      createdBy: 'sh -c make-things',
      changes: { cmd: ['cat', '/etc/new.conf'], env: ['FOO=bar'], exposedPorts: ['8080'], labels: { committed: 'yes' } },
    });
    expect(result.reference).toBe('docker.io/berth/committed:v1');

    const info = await images.inspect('berth/committed:v1');
    expect(info.id).toBe(result.id);
    expect(info.author).toBe('Berth Tester <t@example.com>');
    expect(info.rootfs.diffIds).toEqual([...parent.layers.map((l) => l.diffId), result.layer.diffId]);
    expect(info.config).toMatchObject({ Cmd: ['cat', '/etc/new.conf'], ExposedPorts: { '8080/tcp': {} }, Labels: { committed: 'yes' } });
    expect(info.config.Env).toEqual([expect.stringMatching(/^PATH=/), 'FOO=bar']);
    expect(info.history.at(-1)).toMatchObject({ created_by: 'sh -c make-things', author: 'Berth Tester <t@example.com>', comment: 'hand-made upper dir' });
    const history = await images.history('berth/committed:v1');
    expect(history[0]).toMatchObject({ id: result.id, createdBy: 'sh -c make-things', comment: 'hand-made upper dir', emptyLayer: false, size: 'new\n'.length + 'fresh\n'.length + 'linked\n'.length });
    expect(history).toHaveLength(4);

    // The layer as OCI writes it.
    const headers = new Map<string, TarHeader>();
    const { stream } = await decompress(images.content.openRead(result.layer.digest) as AsyncIterable<Uint8Array>);
    for await (const entry of readTar(stream)) headers.set(entry.header.name, entry.header);
    expect([...headers.keys()]).toEqual(['data/', 'data/a', 'data/b', 'data/shell', 'etc/', 'etc/.wh.motd', 'etc/new.conf', 'var/', 'var/www/', 'var/www/.wh..wh..opq', 'var/www/fresh.html']);
    expect(headers.get('etc/new.conf')).toMatchObject({ type: 'file', mode: 0o640, uid: 1000, gid: 1000 });
    expect(headers.get('etc/.wh.motd')).toMatchObject({ type: 'file', size: 0 });
    expect(headers.get('data/b')).toMatchObject({ type: 'hardlink', linkname: 'data/a' });
    expect(headers.get('data/a')?.xattrs['user.note']).toEqual(Buffer.from('kept'));
    expect(headers.get('var/www/')?.xattrs['trusted.overlay.opaque']).toBeUndefined();
    expect(headers.get('data/shell')).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });

    // And the overlay of the new image's layers is the container's filesystem.
    const { lowerdirs } = await images.prepare('berth/committed:v1');
    expect(lowerdirs).toHaveLength(3);
    const target = join(dir, 'rootfs');
    await mkdir(target);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerdirs.join(':')}`, target]);
    try {
      expect(await readFile(join(target, 'etc', 'new.conf'), 'utf8')).toBe('new\n');
      expect(existsSync(join(target, 'etc', 'motd'))).toBe(false);
      expect(existsSync(join(target, 'etc', 'passwd'))).toBe(true);
      expect((await readdir(join(target, 'var', 'www'))).sort()).toEqual(['fresh.html']);
      expect(await readFile(join(target, 'data', 'b'), 'utf8')).toBe('linked\n');
      const { stdout } = await run(join(target, 'bin', 'busybox'), ['cat', join(target, 'var', 'www', 'fresh.html')]);
      expect(stdout).toBe('fresh\n');
    } finally {
      await run('umount', [target]);
    }
  });

  it('commits an empty upper dir as an empty layer, dangling without a reference', async () => {
    const upper = join(dir, 'empty-upper');
    await mkdir(upper);
    const result = await images.commit({ upperDir: upper, parentReference: parent.id });
    expect(result.reference).toBeNull();
    expect((await images.list({ dangling: true })).map((r) => r.id)).toContain(result.id);
    await expect(images.commit({ upperDir: join(dir, 'nope'), parentReference: parent.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(images.commit({ upperDir: upper, parentReference: 'no/such:image' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await images.remove(result.id);
  });

  it('refuses an upper dir made with metacopy or redirect_dir, whose content is not all in it', async () => {
    const upper = join(dir, 'metacopy-upper');
    await mkdir(upper);
    await writeFile(join(upper, 'big'), '');
    await run('setfattr', ['-n', 'trusted.overlay.metacopy', '-v', '', join(upper, 'big')]);
    const before = await readdir(join(dir, 'store', 'blobs', 'sha256'));
    await expect(images.commit({ upperDir: upper, parentReference: parent.id })).rejects.toThrow(/big is an overlay metacopy file whose data is in a lower layer/);
    expect(await readdir(join(dir, 'store', 'blobs', 'sha256'))).toEqual(before);
    expect(await readdir(join(dir, 'store', 'staging'))).toEqual([]);
  });

  it('system df: sizes of images with what they share and what is reclaimable', async () => {
    const committed = await images.inspect('berth/committed:v1');
    const parentInfo = await images.inspect(parentName());
    const usage = await images.diskUsage({ isImageInUse: (id) => id === parent.id });
    expect(usage.count).toBe(2);
    expect(usage.active).toBe(1);
    expect(usage.totalSize).toBe(committed.size);
    expect(usage.sharedSize).toBe(parentInfo.size);
    expect(usage.reclaimable).toBe(committed.size - parentInfo.size);
    expect(usage.contentSize).toBeGreaterThan(0);
    const row = usage.images.find((i) => i.id === committed.id);
    expect(row).toMatchObject({ names: ['docker.io/berth/committed:v1'], size: committed.size, sharedSize: parentInfo.size, uniqueSize: committed.size - parentInfo.size, inUse: false });
    expect(usage.images.find((i) => i.id === parent.id)).toMatchObject({ uniqueSize: 0, inUse: true });
  });

  it('sizes upper dirs and volumes like du: hardlinks once, symlinks not followed, missing paths empty', async () => {
    const volume = join(dir, 'volume');
    await mkdir(join(volume, 'sub'), { recursive: true });
    await writeFile(join(volume, 'sub', 'f'), Buffer.alloc(10_000, 1));
    await link(join(volume, 'sub', 'f'), join(volume, 'hard'));
    await symlink('/usr', join(volume, 'usr'));
    const usage = await images.localDiskUsage({ containers: { c1: join(dir, 'upper') }, volumes: { v1: volume, gone: join(dir, 'missing') } });
    expect(usage.volumes.v1).toMatchObject({ exists: true, size: 10_000 + '/usr'.length, entries: 4 });
    expect(usage.volumes.v1?.diskUsage).toBeGreaterThanOrEqual(10_000);
    expect(usage.volumes.gone).toMatchObject({ exists: false, size: 0 });
    expect(usage.containers.c1?.size).toBe(await directoryUsage(join(dir, 'upper')).then((u) => u.size));
    expect(usage.containers.c1?.size).toBeGreaterThanOrEqual('new\n'.length + 'fresh\n'.length + 'linked\n'.length);
    expect(usage.volumesSize).toBe(usage.volumes.v1?.size);
  });
});

describe('getfattr dump parsing', () => {
  it('decodes base64 values and quoted names', () => {
    const dump = ['# file: /u/var/www', 'trusted.overlay.opaque=0seQ==', '', '# file: /u/odd\\012name\\\\x', 'user.a=0x6869', 'user.b="plain"', ''].join('\n');
    const parsed = parseGetfattrDump(dump);
    expect(parsed.get('/u/var/www')).toEqual({ 'trusted.overlay.opaque': Buffer.from('y') });
    expect(parsed.get('/u/odd\nname\\x')).toEqual({ 'user.a': Buffer.from('hi'), 'user.b': Buffer.from('plain') });
  });
});
