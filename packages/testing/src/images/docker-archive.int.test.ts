import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHttpdImage } from './busybox.ts';
import { sha256Digest } from './digest.ts';
import { chainIds, writeDockerArchive } from './docker-archive.ts';
import type { DockerArchiveManifestEntry } from './docker-archive.ts';
import { readTar } from './read-tar.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('writeDockerArchive', () => {
  it('writes the docker save layout: manifest.json, repositories, config and layer tars', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-archive-'));
    dirs.push(dir);
    const image = await buildHttpdImage();
    const file = join(dir, 'httpd.tar');
    await writeDockerArchive(image, file, ['berth/httpd:latest', '127.0.0.1:5000/berth/httpd:v1']);

    const entries = await readTar(await readFile(file));
    const files = new Map(entries.map((e) => [e.header.name, e]));
    const layerDirs = chainIds(image.layers.map((l) => l.diffId)).map((d) => d.slice(7));
    const configName = `${image.id.slice(7)}.json`;
    expect(entries.map((e) => e.header.name).sort()).toEqual(
      [configName, 'manifest.json', 'repositories', ...layerDirs.flatMap((d) => [`${d}/`, `${d}/VERSION`, `${d}/json`, `${d}/layer.tar`])].sort(),
    );

    const manifest = JSON.parse(files.get('manifest.json')?.data.toString() ?? '') as DockerArchiveManifestEntry[];
    expect(manifest).toEqual([
      { Config: configName, RepoTags: ['berth/httpd:latest', '127.0.0.1:5000/berth/httpd:v1'], Layers: layerDirs.map((d) => `${d}/layer.tar`) },
    ]);
    // docker load checks the config against its name and each layer tar against the config's diff IDs.
    const config = files.get(configName)?.data ?? Buffer.alloc(0);
    expect(sha256Digest(config)).toBe(image.id);
    const diffIds = (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
    expect(manifest[0]?.Layers.map((p) => sha256Digest(files.get(p)?.data ?? Buffer.alloc(0)))).toEqual(diffIds);

    const top = layerDirs.at(-1);
    expect(JSON.parse(files.get('repositories')?.data.toString() ?? '')).toEqual({
      'berth/httpd': { latest: top },
      '127.0.0.1:5000/berth/httpd': { v1: top },
    });
    expect(files.get(`${layerDirs[0]}/VERSION`)?.data.toString()).toBe('1.0');
    const legacy = JSON.parse(files.get(`${layerDirs[1]}/json`)?.data.toString() ?? '') as { id: string; parent?: string };
    expect(legacy).toMatchObject({ id: layerDirs[1], parent: layerDirs[0] });
  });

  it('refuses a repo tag without a tag', async () => {
    const image = await buildHttpdImage();
    await expect(writeDockerArchive(image, join(tmpdir(), 'never.tar'), ['127.0.0.1:5000/berth'])).rejects.toThrow(/explicit tag/);
  });
});
