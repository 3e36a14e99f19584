// `docker save`: images as one tar, in the layout Docker 25 writes, which every `docker load`
// (and OCI tools reading an oci-archive) accepts:
//   oci-layout, index.json                 an OCI image layout naming each saved tag;
//   blobs/sha256/<hex>                     config, an OCI manifest, and each layer as a plain tar
//                                          (named by its diff ID);
//   manifest.json, repositories            Docker's own index: [{Config, RepoTags, Layers}].
// Layers are stored uncompressed, as docker save does, so the image ID (config digest) is kept
// while the manifest digest is that of the archive's manifest, not the registry's.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { BlobDescriptor } from '../content/store.ts';
import { REF_NAME_ANNOTATION } from '../content/store.ts';
import { digestHex, sha256Digest } from '../content/digest.ts';
import { layerCompression, MEDIA_TYPES } from '../distribution/manifest.ts';
import type { ImageManifest } from '../distribution/manifest.ts';
import { familiarString, parseReference } from '../distribution/reference.ts';
import { decompress } from '../snapshots/decompress.ts';
import { ImageError } from './errors.ts';
import type { ImageStoreParts } from './parts.ts';
import { resolveImage } from './resolve.ts';
import { endWritable, writableSink } from './streams.ts';
import { TarWriter } from './tar-writer.ts';

/** containerd's annotation for the full image name in an OCI layout (Docker 25 writes it too). */
export const CONTAINERD_IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';

export interface SaveResult {
  /** Image IDs written, one per image. */
  ids: string[];
  /** Names written (fully qualified). */
  names: string[];
}

interface SavedImage {
  id: string;
  manifestDigest: string;
  manifest: ImageManifest;
  names: string[];
  layers: { blob: string; diffId: string; size: number; compression: 'gzip' | 'zstd' | 'none' }[];
  config: Buffer;
}

const MTIME = 0;

function tagOf(name: string): string {
  return parseReference(name).tag ?? 'latest';
}

/** Uncompressed size of a layer blob, checked against its diff ID on the way. */
async function layerTarSize(parts: ImageStoreParts, blob: string, diffId: string, compression: 'gzip' | 'zstd' | 'none', size: number): Promise<number> {
  if (compression === 'none') return size;
  const hash = createHash('sha256');
  let total = 0;
  const { stream } = await decompress(parts.content.openRead(blob) as AsyncIterable<Uint8Array>);
  for await (const chunk of stream) {
    hash.update(chunk);
    total += chunk.length;
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== diffId) throw new ImageError('INVALID_IMAGE', `layer ${blob} in the store unpacks to ${actual}, but the image config lists ${diffId}: the store is damaged (pull the image again)`);
  return total;
}

async function collect(parts: ImageStoreParts, references: readonly string[]): Promise<SavedImage[]> {
  if (references.length === 0) throw new ImageError('NOT_FOUND', 'nothing to save: name at least one image');
  const entries: BlobDescriptor[] = (await parts.content.readIndex()).manifests;
  const byId = new Map<string, SavedImage>();
  for (const input of references) {
    const target = resolveImage(entries, input);
    let image = byId.get(target.id);
    if (!image) {
      const manifestDigest = target.manifests[0] as string;
      const manifest = await parts.readManifest(manifestDigest);
      const config = await parts.content.read(manifest.config.digest);
      const diffIds = (await parts.readConfig(manifest.config.digest)).rootfs.diff_ids;
      if (diffIds.length !== manifest.layers.length) throw new ImageError('INVALID_IMAGE', `image ${input} lists ${manifest.layers.length} layers but its config has ${diffIds.length} diff IDs`);
      const layers = [];
      for (const [i, layer] of manifest.layers.entries()) {
        const compression = layerCompression(layer.mediaType);
        if (compression === null) throw new ImageError('INVALID_IMAGE', `image ${input} layer ${layer.digest} has media type ${layer.mediaType}, which berth cannot save`);
        if (!(await parts.content.has(layer.digest))) throw new ImageError('INVALID_IMAGE', `image ${input} layer ${layer.digest} is not in the store: pull the image again`);
        const diffId = diffIds[i] as string;
        layers.push({ blob: layer.digest, diffId, compression, size: await layerTarSize(parts, layer.digest, diffId, compression, layer.size) });
      }
      image = { id: target.id, manifestDigest, manifest, names: [], layers, config };
      byId.set(target.id, image);
    }
    // By name: that tag; by ID: no name, as docker save does.
    const name = target.name !== undefined && !target.name.includes('@') ? target.name : undefined;
    if (name !== undefined && !image.names.includes(name)) image.names.push(name);
  }
  return [...byId.values()];
}

/** Writes the archive of `references` to `out`, a file path (written whole or not at all) or a stream (ended at the end). */
export async function saveImages(parts: ImageStoreParts, references: readonly string[], out: string | Writable): Promise<SaveResult> {
  const images = await collect(parts, references);
  const release = parts.leases.acquire(images.flatMap((i) => [i.manifestDigest, i.manifest.config.digest, ...i.layers.map((l) => l.blob)]));
  const tmp = typeof out === 'string' ? `${out}.tmp-${randomBytes(4).toString('hex')}` : null;
  const stream = typeof out === 'string' ? createWriteStream(tmp as string, { mode: 0o600 }) : out;
  try {
    const tar = new TarWriter(writableSink(stream));
    const written = new Set<string>();
    const blob = async (digest: string, data: Buffer | { size: number; body: AsyncIterable<Uint8Array> }): Promise<void> => {
      if (written.has(digest)) return;
      written.add(digest);
      const path = `blobs/sha256/${digestHex(digest)}`;
      if (Buffer.isBuffer(data)) await tar.add({ name: path, type: 'file', mode: 0o644, mtime: MTIME }, data);
      else await tar.add({ name: path, type: 'file', mode: 0o644, mtime: MTIME, size: data.size }, data.body);
    };
    await tar.add({ name: 'blobs', type: 'directory', mode: 0o755, mtime: MTIME });
    await tar.add({ name: 'blobs/sha256', type: 'directory', mode: 0o755, mtime: MTIME });

    const indexEntries: BlobDescriptor[] = [];
    const dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const image of images) {
      for (const layer of image.layers) {
        const hash = createHash('sha256');
        const source = layer.compression === 'none' ? (parts.content.openRead(layer.blob) as AsyncIterable<Uint8Array>) : (await decompress(parts.content.openRead(layer.blob) as AsyncIterable<Uint8Array>)).stream;
        async function* checked(): AsyncGenerator<Uint8Array> {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
          const actual = `sha256:${hash.digest('hex')}`;
          if (actual !== layer.diffId) throw new ImageError('INVALID_IMAGE', `layer ${layer.blob} changed while it was saved (${actual}, not ${layer.diffId})`);
        }
        await blob(layer.diffId, { size: layer.size, body: checked() });
      }
      await blob(image.manifest.config.digest, image.config);
      const manifest = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.manifest.config.digest, size: image.config.length },
        layers: image.layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayer, digest: l.diffId, size: l.size })),
      };
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      const manifestDigest = sha256Digest(manifestBytes);
      await blob(manifestDigest, manifestBytes);
      const descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifestBytes.length };
      if (image.names.length === 0) indexEntries.push(descriptor);
      for (const name of image.names) {
        indexEntries.push({ ...descriptor, annotations: { [CONTAINERD_IMAGE_NAME_ANNOTATION]: name, [REF_NAME_ANNOTATION]: tagOf(name) } });
      }
      const top = image.layers.at(-1);
      const repoTags = image.names.map((n) => familiarString(parseReference(n)));
      for (const repoTag of repoTags) {
        const colon = repoTag.lastIndexOf(':');
        if (top) (repositories[repoTag.slice(0, colon)] ??= {})[repoTag.slice(colon + 1)] = digestHex(top.diffId);
      }
      dockerManifest.push({ Config: `blobs/sha256/${digestHex(image.manifest.config.digest)}`, RepoTags: repoTags, Layers: image.layers.map((l) => `blobs/sha256/${digestHex(l.diffId)}`) });
    }
    const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
    await tar.add({ name: 'index.json', type: 'file', mode: 0o644, mtime: MTIME }, json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: indexEntries }));
    await tar.add({ name: 'manifest.json', type: 'file', mode: 0o644, mtime: MTIME }, json(dockerManifest));
    await tar.add({ name: 'oci-layout', type: 'file', mode: 0o644, mtime: MTIME }, json({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length > 0) await tar.add({ name: 'repositories', type: 'file', mode: 0o644, mtime: MTIME }, json(repositories));
    await tar.end();
    await endWritable(stream);
    if (tmp !== null) await rename(tmp, out as string);
    return { ids: images.map((i) => i.id), names: images.flatMap((i) => i.names) };
  } catch (err) {
    stream.destroy();
    if (tmp !== null) await rm(tmp, { force: true });
    throw err;
  } finally {
    release();
  }
}
