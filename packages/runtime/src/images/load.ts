// `docker load`: images from a tar, docker-archive (manifest.json, as `docker save` writes it
// before and since Docker 25) or OCI archive (oci-layout + index.json), plain or compressed.
// The archive is first read into a private staging directory, entries stored by number (never
// by their names, so no name can land anywhere), each hashed as it streams. Then everything is
// checked before the store is touched: every blob against its digest and size, every config
// against its name, every layer's content against its diff ID. Only then are blobs ingested,
// layers unpacked and names recorded; a failure there removes what this load added.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { REF_NAME_ANNOTATION } from '../content/store.ts';
import { sha256Digest } from '../content/digest.ts';
import { layerCompression, ManifestError, MEDIA_TYPES, parseImageConfig, parseManifest } from '../distribution/manifest.ts';
import type { Descriptor, ImageConfig, ImageManifest } from '../distribution/manifest.ts';
import { formatPlatform, offeredPlatforms, platformRank, selectManifest } from '../distribution/platform.ts';
import { familiarString, parseReference } from '../distribution/reference.ts';
import { decompress } from '../snapshots/decompress.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { readTar } from '../snapshots/tar-reader.ts';
import { ImageError } from './errors.ts';
import { withImage, withName } from './index-entries.ts';
import type { ImageStoreParts } from './parts.ts';
import { removeUnreferenced } from './remove.ts';
import { withStaging } from './staging.ts';
import { imageIdOf, referenceName } from './resolve.ts';
import { CONTAINERD_IMAGE_NAME_ANNOTATION } from './save.ts';
import { digestOf, endWritable, writableSink } from './streams.ts';

export interface LoadedImage {
  id: string;
  /** Fully qualified names recorded; empty for an image loaded without a name. */
  names: string[];
  /** The manifest recorded for it. */
  manifestDigest: string;
}

export interface LoadResult {
  format: 'docker-archive' | 'oci-archive';
  images: LoadedImage[];
}

/** What `docker load` prints: "Loaded image: busybox:latest" or "Loaded image ID: sha256:…". */
export function loadMessages(result: LoadResult): string[] {
  return result.images.flatMap((i) => (i.names.length > 0 ? i.names.map((n) => `Loaded image: ${familiarString(parseReference(n))}`) : [`Loaded image ID: ${i.id}`]));
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;
const MAX_LINK_HOPS = 16;

type Staged = { kind: 'file'; path: string; digest: string; size: number } | { kind: 'link'; target: string };

function invalid(message: string, cause?: unknown): ImageError {
  return new ImageError('INVALID_IMAGE', `cannot load the archive: ${message}`, cause === undefined ? undefined : { cause });
}

/** An archive path, '/'-separated, without '.' parts; absolute paths and '..' are refused. */
function archivePath(name: string, what: string): string {
  if (name.includes('\0')) throw invalid(`${what} ${JSON.stringify(name)} has a NUL byte in its name`);
  if (name.startsWith('/')) throw invalid(`${what} ${JSON.stringify(name)} is an absolute path, outside the archive`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(`${what} ${JSON.stringify(name)} has a '..' component: it points outside the archive`);
  return parts.join('/');
}

/** A link target inside the archive, with its '..' parts resolved (escaping ones were refused). */
function resolveInside(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** Does a relative path climb above the archive root when resolved lexically? */
function escapes(path: string): boolean {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

/** The archive's entries, staged in `dir`: regular files by number, links as names. */
class StagedArchive {
  readonly entries = new Map<string, Staged>();
  private count = 0;

  constructor(readonly dir: string) {}

  async read(source: AsyncIterable<Uint8Array>): Promise<void> {
    const { stream } = await decompress(source);
    try {
      for await (const entry of readTar(stream)) {
        const name = archivePath(entry.header.name, 'archive entry');
        switch (entry.header.type) {
          case 'file': {
            const path = join(this.dir, String(this.count++));
            const hash = createHash('sha256');
            let size = 0;
            const out = createWriteStream(path, { mode: 0o600 });
            const sink = writableSink(out);
            try {
              for await (const chunk of entry.body) {
                hash.update(chunk);
                size += chunk.length;
                await sink(chunk);
              }
              await endWritable(out);
            } catch (err) {
              out.destroy();
              throw err;
            }
            this.entries.set(name, { kind: 'file', path, digest: `sha256:${hash.digest('hex')}`, size });
            break;
          }
          case 'symlink':
          case 'hardlink': {
            // Links stay names inside the archive; one pointing out of it is refused outright.
            const { linkname } = entry.header;
            const dir = posix.dirname(name);
            const joined = entry.header.type === 'symlink' ? `${dir === '.' ? '' : `${dir}/`}${linkname}` : linkname;
            if (linkname.startsWith('/') || escapes(joined)) {
              throw invalid(`archive entry ${JSON.stringify(entry.header.name)} is a ${entry.header.type} to ${JSON.stringify(linkname)}, outside the archive`);
            }
            this.entries.set(name, { kind: 'link', target: resolveInside(joined) });
            break;
          }
          default:
            // Directories and anything else are not part of an image archive's content.
            break;
        }
      }
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw invalid(`it is not a readable tar (plain, gzip or zstd): ${(err as Error).message}`, err);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The staged file `name` (links followed), or an error saying the archive lacks it. */
  file(name: string, what: string): { path: string; digest: string; size: number } {
    let current = archivePath(name, what);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(current);
      if (!entry) throw invalid(`${what} ${JSON.stringify(name)} is not in the archive`);
      if (entry.kind === 'file') return entry;
      current = entry.target;
    }
    throw invalid(`${what} ${JSON.stringify(name)} is a chain of more than ${MAX_LINK_HOPS} links`);
  }

  async json(name: string, what: string): Promise<{ bytes: Buffer; digest: string; value: unknown }> {
    const file = this.file(name, what);
    if (file.size > MAX_JSON_BYTES) throw invalid(`${what} ${JSON.stringify(name)} is ${file.size} bytes: too big to be JSON metadata`);
    const bytes = await readFile(file.path);
    try {
      return { bytes, digest: file.digest, value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch (err) {
      throw invalid(`${what} ${JSON.stringify(name)} is not valid JSON (${(err as Error).message})`, err);
    }
  }

  /** The blob `desc` names in an OCI layout, checked against its digest and size. */
  blob(desc: Pick<Descriptor, 'digest' | 'size'>, what: string): { path: string; digest: string; size: number } {
    const [algorithm, hex] = desc.digest.split(':');
    const file = this.file(`blobs/${algorithm}/${hex}`, what);
    if (file.digest !== desc.digest) throw invalid(`${what} blobs/${algorithm}/${hex} has content of digest ${file.digest}: digest mismatch`);
    if (file.size !== desc.size) throw invalid(`${what} ${desc.digest} is ${file.size} bytes, its descriptor says ${desc.size}`);
    return file;
  }
}

/** One image ready to go into the store: every blob staged and verified. */
interface PlannedImage {
  names: string[];
  manifest: { desc: Descriptor; bytes: Buffer };
  config: { desc: Descriptor; bytes: Buffer; parsed: ImageConfig };
  /** Layer blobs with their staged files and diff IDs, bottom first. */
  layers: { desc: Descriptor; path: string; diffId: string }[];
  /** The manifest was made up here (docker-archive): an image already stored with this ID is used instead. */
  synthesized: boolean;
}

/** The diff ID of a staged layer (sha256 of its uncompressed tar), and its compression. */
async function layerDiffId(path: string): Promise<{ diffId: string; compression: 'gzip' | 'zstd' | 'none' }> {
  const { compression, stream } = await decompress(createReadStream(path) as AsyncIterable<Uint8Array>);
  try {
    return { diffId: (await digestOf(stream)).digest, compression };
  } catch (err) {
    throw invalid(`a layer could not be decompressed (${(err as Error).message})`, err);
  }
}

function checkDiffId(actual: string, expected: string | undefined, what: string): void {
  if (actual !== expected) throw invalid(`${what} has content ${actual}, but the image config lists ${expected ?? 'no diff ID for it'}: digest mismatch`);
}

function parseConfig(bytes: Buffer, what: string): ImageConfig {
  try {
    return parseImageConfig(bytes);
  } catch (err) {
    throw invalid(`${what} is not an image config (${(err as Error).message})`, err);
  }
}

function loadName(raw: string, what: string): string {
  const name = referenceName(raw);
  if (name === null || name.includes('@')) throw invalid(`${what} ${JSON.stringify(raw)} is not a valid name:tag`);
  return name;
}

const LAYER_MEDIA_TYPES = { gzip: MEDIA_TYPES.ociLayerGzip, zstd: MEDIA_TYPES.ociLayerZstd, none: MEDIA_TYPES.ociLayer } as const;

async function planDockerArchive(archive: StagedArchive): Promise<PlannedImage[]> {
  const { value } = await archive.json('manifest.json', 'manifest');
  if (!Array.isArray(value)) throw invalid('manifest.json is not a list of images');
  const planned: PlannedImage[] = [];
  for (const [i, item] of value.entries()) {
    const where = `manifest.json entry ${i}`;
    const { Config, RepoTags, Layers } = (item ?? {}) as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
    if (typeof Config !== 'string' || !Array.isArray(Layers) || Layers.some((l) => typeof l !== 'string')) throw invalid(`${where} has no Config or Layers`);
    const configFile = archive.file(Config, `the config of ${where}`);
    const configBytes = await readFile(configFile.path);
    // docker names the config by its digest (<hex>.json, or blobs/sha256/<hex> since Docker 25).
    const named = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/.exec(archivePath(Config, 'config'))?.[1];
    if (named !== undefined && `sha256:${named}` !== configFile.digest) throw invalid(`config ${JSON.stringify(Config)} has content of digest ${configFile.digest}: digest mismatch`);
    const config = parseConfig(configBytes, `config ${JSON.stringify(Config)}`);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== Layers.length) throw invalid(`${where} lists ${Layers.length} layers, but its config has ${diffIds.length} diff IDs`);
    const layers: PlannedImage['layers'] = [];
    for (const [j, layerName] of (Layers as string[]).entries()) {
      const file = archive.file(layerName, `layer ${j} of ${where}`);
      const { diffId, compression } = await layerDiffId(file.path);
      checkDiffId(diffId, diffIds[j], `layer ${JSON.stringify(layerName)}`);
      layers.push({ desc: { mediaType: LAYER_MEDIA_TYPES[compression], digest: file.digest, size: file.size }, path: file.path, diffId });
    }
    const configDesc = { mediaType: MEDIA_TYPES.ociConfig, digest: configFile.digest, size: configFile.size };
    const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: configDesc, layers: layers.map((l) => l.desc) };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const names = (Array.isArray(RepoTags) ? RepoTags : []).map((t) => loadName(String(t), `RepoTag of ${where}`));
    planned.push({
      names,
      manifest: { desc: { mediaType: MEDIA_TYPES.ociManifest, digest: sha256Digest(bytes), size: bytes.length }, bytes },
      config: { desc: configDesc, bytes: configBytes, parsed: config },
      layers,
      synthesized: true,
    });
  }
  return planned;
}

function parseOrFail(bytes: Buffer, mediaType: string, what: string): ReturnType<typeof parseManifest> {
  try {
    return parseManifest(bytes, mediaType);
  } catch (err) {
    if (err instanceof ManifestError) throw invalid(`${what} is not a valid manifest (${err.message})`, err);
    throw err;
  }
}

async function planOciArchive(archive: StagedArchive, parts: ImageStoreParts): Promise<PlannedImage[]> {
  const { value } = await archive.json('index.json', 'index');
  const index = parseOrFail(Buffer.from(JSON.stringify(value)), MEDIA_TYPES.ociIndex, 'index.json');
  if (index.kind !== 'index') throw invalid('index.json is not an image index');
  const byManifest = new Map<string, PlannedImage>();
  for (const top of index.index.manifests) {
    const annotations = top.annotations ?? {};
    const rawName = annotations[CONTAINERD_IMAGE_NAME_ANNOTATION] ?? annotations[REF_NAME_ANNOTATION];
    // A bare ref.name ("latest") is a tag without a repository: such an image loads unnamed.
    const name = rawName !== undefined && (rawName === annotations[CONTAINERD_IMAGE_NAME_ANNOTATION] || /[/:]/.test(rawName)) ? loadName(rawName, 'image name') : undefined;
    let desc = top;
    let file = archive.blob(desc, 'blob');
    let bytes = await readFile(file.path);
    let parsed = parseOrFail(bytes, desc.mediaType, `manifest ${desc.digest}`);
    if (parsed.kind === 'index') {
      const chosen = selectManifest(parsed.index.manifests, parts.platform);
      if (!chosen) {
        throw new ImageError('PLATFORM_MISMATCH', `cannot load ${rawName ?? desc.digest}: it has no manifest for ${formatPlatform(parts.platform)}; it has ${offeredPlatforms(parsed.index.manifests).join(', ') || 'no platform entries'}`);
      }
      desc = chosen;
      file = archive.blob(desc, 'blob');
      bytes = await readFile(file.path);
      parsed = parseOrFail(bytes, desc.mediaType, `manifest ${desc.digest}`);
      if (parsed.kind !== 'manifest') throw invalid(`the ${formatPlatform(parts.platform)} entry of ${rawName ?? top.digest} is itself an index: nested indexes are not supported`);
    }
    const manifest: ImageManifest = parsed.manifest;
    let image = byManifest.get(desc.digest);
    if (!image) {
      const configFile = archive.blob(manifest.config, 'config');
      const configBytes = await readFile(configFile.path);
      const config = parseConfig(configBytes, `config ${manifest.config.digest}`);
      if (platformRank({ os: config.os, architecture: config.architecture, variant: config.variant }, parts.platform) === null) {
        throw new ImageError('PLATFORM_MISMATCH', `cannot load ${rawName ?? desc.digest}: it is for ${formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant })}, not ${formatPlatform(parts.platform)}`);
      }
      const diffIds = config.rootfs.diff_ids;
      if (diffIds.length !== manifest.layers.length) throw invalid(`manifest ${desc.digest} lists ${manifest.layers.length} layers, but its config has ${diffIds.length} diff IDs`);
      const layers: PlannedImage['layers'] = [];
      for (const [j, layer] of manifest.layers.entries()) {
        if (layerCompression(layer.mediaType) === null) throw new ImageError('INVALID_IMAGE', `cannot load ${rawName ?? desc.digest}: layer ${layer.digest} has media type ${layer.mediaType}, which berth cannot unpack`);
        const layerFile = archive.blob(layer, 'layer');
        const { diffId } = await layerDiffId(layerFile.path);
        checkDiffId(diffId, diffIds[j], `layer ${layer.digest}`);
        layers.push({ desc: layer, path: layerFile.path, diffId });
      }
      image = {
        names: [],
        manifest: { desc: { mediaType: manifest.mediaType, digest: desc.digest, size: bytes.length }, bytes },
        config: { desc: manifest.config, bytes: configBytes, parsed: config },
        layers,
        synthesized: false,
      };
      byManifest.set(desc.digest, image);
    }
    if (name !== undefined && !image.names.includes(name)) image.names.push(name);
  }
  return [...byManifest.values()];
}

/** Reads an archive into the store. `input` is a path or a stream of the tar (compressed or not). */
export async function loadImages(parts: ImageStoreParts, input: string | Readable | AsyncIterable<Uint8Array>): Promise<LoadResult> {
  return withStaging(parts.content.root, 'load', async (staging) => {
    const archive = new StagedArchive(staging);
    const source = typeof input === 'string' ? (createReadStream(input) as AsyncIterable<Uint8Array>) : (input as AsyncIterable<Uint8Array>);
    await archive.read(source);
    const format = archive.has('manifest.json') ? 'docker-archive' : archive.has('index.json') ? 'oci-archive' : null;
    if (format === null) throw invalid('it has neither manifest.json (docker-archive) nor index.json (OCI archive)');
    const planned = format === 'docker-archive' ? await planDockerArchive(archive) : await planOciArchive(archive, parts);
    if (planned.length === 0) throw invalid('it holds no images');
    return { format, images: await commitPlanned(parts, planned) };
  });
}

/** Ingests the verified blobs, unpacks the layers, records the names; undoes it all on failure. */
async function commitPlanned(parts: ImageStoreParts, planned: PlannedImage[]): Promise<LoadedImage[]> {
  const keys = planned.flatMap((p) => [p.manifest.desc.digest, p.config.desc.digest, ...p.layers.map((l) => l.desc.digest), ...chainIds(p.layers.map((l) => l.diffId))]);
  const release = parts.leases.acquire(keys);
  const written: string[] = [];
  const unpacked: string[] = [];
  const releaseReused: (() => void)[] = [];
  try {
    for (const image of planned) {
      if (image.synthesized) {
        const existing = await storedImage(parts, image.config.desc.digest);
        if (existing) {
          // docker load of an image the store has (by ID): only the names are new.
          releaseReused.push(parts.leases.acquire(existing.keys));
          image.manifest = { desc: existing.desc, bytes: Buffer.alloc(0) };
          continue;
        }
      }
      for (const [desc, bytes] of [
        [image.config.desc, image.config.bytes],
        [image.manifest.desc, image.manifest.bytes],
      ] as const) {
        if (!(await parts.content.has(desc.digest))) {
          await parts.content.writeBuffer(desc, bytes);
          written.push(desc.digest);
        }
      }
      const chain = chainIds(image.layers.map((l) => l.diffId));
      for (const [i, layer] of image.layers.entries()) {
        const result = await parts.content.ingest(layer.desc, async (offset) => ({ body: createReadStream(layer.path, { start: offset }) as AsyncIterable<Uint8Array>, offset }));
        if (result.status === 'written') written.push(layer.desc.digest);
        const chainId = chain[i] as string;
        const unpack = await parts.layers.unpack({
          chainId,
          parent: i === 0 ? null : (chain[i - 1] as string),
          diffId: layer.diffId,
          blob: layer.desc.digest,
          open: () => parts.content.openRead(layer.desc.digest) as AsyncIterable<Uint8Array>,
        });
        if (unpack.unpacked) unpacked.push(chainId);
      }
    }
    await parts.metaLock.run(() =>
      parts.content.updateIndex((entries) => {
        let next = entries;
        for (const image of planned) {
          const target = { manifest: image.manifest.desc, id: image.config.desc.digest, repoDigests: [] };
          if (image.names.length === 0) next = withImage(next, target);
          for (const name of image.names) next = withName(next, name, target);
        }
        return { manifests: next, result: undefined };
      }),
    );
    return planned.map((p) => ({ id: p.config.desc.digest, names: p.names, manifestDigest: p.manifest.desc.digest }));
  } catch (err) {
    await removeUnreferenced(parts, written, unpacked, [release]).catch(() => {});
    throw err;
  } finally {
    release();
    releaseReused.forEach((r) => r());
  }
}

/** A stored image with this ID whose blobs and unpacked layers are all present. */
async function storedImage(parts: ImageStoreParts, id: string): Promise<{ desc: Descriptor; keys: string[] } | null> {
  const entries = (await parts.content.readIndex()).manifests;
  for (const entry of entries.filter((e) => imageIdOf(e) === id)) {
    try {
      const manifest = await parts.readManifest(entry.digest);
      if (manifest.config.digest !== id) continue;
      const chains = chainIds((await parts.readConfig(id)).rootfs.diff_ids);
      const blobs = [entry.digest, id, ...manifest.layers.map((l) => l.digest)];
      const present = await Promise.all([...blobs.map((b) => parts.content.has(b)), ...chains.map((c) => parts.layers.has(c))]);
      if (present.every(Boolean)) return { desc: { mediaType: entry.mediaType, digest: entry.digest, size: entry.size }, keys: [...blobs, ...chains] };
    } catch {
      // a damaged record: not reused
    }
  }
  return null;
}
