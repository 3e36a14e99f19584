// `docker pull`: resolve the reference, pick the host's manifest, fetch config and layers
// (concurrently, each blob once, resuming interrupted ones), unpack each layer once, and only
// then record the name. A failed pull leaves the store as it was: nothing is recorded, and
// content this pull wrote is removed unless the failure is one a retry resumes from.
import type { Readable } from 'node:stream';
import type { BlobSource, IngestProgress } from '../content/store.ts';
import { ContentError } from '../content/errors.ts';
import type { RegistryCredentials } from '../distribution/auth.ts';
import { RegistryError } from '../distribution/errors.ts';
import { layerCompression, ManifestError, parseManifest } from '../distribution/manifest.ts';
import type { Descriptor, ImageManifest } from '../distribution/manifest.ts';
import { formatPlatform, offeredPlatforms, platformRank, selectManifest } from '../distribution/platform.ts';
import type { PlatformSpec } from '../distribution/platform.ts';
import { formatReference, parseReference, repositoryName } from '../distribution/reference.ts';
import type { Reference } from '../distribution/reference.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { ImageError } from './errors.ts';
import { withName } from './index-entries.ts';
import { mapLimit } from './parts.ts';
import type { ImageStoreParts } from './parts.ts';
import { removeUnreferenced } from './remove.ts';

export type LayerStatus = 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'complete' | 'already exists';

/** Progress of one layer, as `docker pull` draws a line per layer. */
export interface LayerProgress {
  /** The layer blob's digest. */
  digest: string;
  done: number;
  total: number;
  status: LayerStatus;
}

export interface PullOptions {
  onProgress?: (progress: LayerProgress) => void;
  /** Credentials for this pull (the control plane hands them over per operation). */
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  /** Defaults to the store's (the host's) platform. */
  platform?: PlatformSpec;
}

export interface PullResult {
  /** The name recorded: docker.io/library/busybox:latest, or repo@digest for a pull by digest. */
  reference: string;
  /** Image ID (config digest). */
  id: string;
  /** What the registry served for the reference (an index or a manifest): the repo digest. */
  digest: string;
  /** The platform manifest recorded. */
  manifestDigest: string;
  /** Bytes received from the registry for config and layers. */
  downloadedBytes: number;
  /** True when the name already pointed at this image and every layer was present. */
  upToDate: boolean;
}

// Interrupted downloads are resumed this many times within one pull.
const BLOB_RETRIES = 3;

/** Errors a retry resumes from: content already written is kept for it. */
function isTransient(err: unknown): boolean {
  return (err instanceof ContentError && err.code === 'INTERRUPTED') || (err instanceof RegistryError && err.code === 'UNREACHABLE');
}

function blobSource(parts: ImageStoreParts, ref: Reference, digest: string, endpoint: string, opts: PullOptions): BlobSource {
  return async (offset) => {
    const res = await parts.client.getBlob(ref, digest, { offset, preferEndpoint: endpoint, credentials: opts.credentials, signal: opts.signal });
    return { body: res.body as AsyncIterable<Uint8Array>, offset: res.offset };
  };
}

/** The platform manifest for `ref`: the registry's answer, or the host's entry of its index. */
async function resolveManifest(parts: ImageStoreParts, ref: Reference, platform: PlatformSpec, opts: PullOptions) {
  const name = formatReference(ref);
  const top = await parts.client.getManifest(ref, { credentials: opts.credentials, signal: opts.signal });
  const parse = (bytes: Buffer, mediaType: string, what: string) => {
    try {
      return parseManifest(bytes, mediaType);
    } catch (err) {
      if (err instanceof ManifestError) {
        throw new RegistryError('INVALID_RESPONSE', ref.domain, `registry ${ref.domain} answered ${what} with an invalid manifest: ${err.message}`);
      }
      throw err;
    }
  };
  const parsed = parse(top.bytes, top.descriptor.mediaType, name);
  if (parsed.kind === 'manifest') return { top, manifestDesc: top.descriptor, manifestBytes: top.bytes, manifest: parsed.manifest };

  const chosen = selectManifest(parsed.index.manifests, platform);
  if (!chosen) {
    const offered = offeredPlatforms(parsed.index.manifests);
    throw new ImageError(
      'PLATFORM_MISMATCH',
      `image ${name} has no manifest for ${formatPlatform(platform)}; it has ${offered.length > 0 ? offered.join(', ') : 'no platform entries'}`,
    );
  }
  const child = await parts.client.getManifest(ref, { digest: chosen.digest, credentials: opts.credentials, signal: opts.signal });
  const childParsed = parse(child.bytes, child.descriptor.mediaType || chosen.mediaType, `${repositoryName(ref)}@${chosen.digest}`);
  if (childParsed.kind !== 'manifest') {
    throw new RegistryError('INVALID_RESPONSE', ref.domain, `the ${formatPlatform(platform)} entry of ${name} is itself an index: nested indexes are not supported`);
  }
  return { top, manifestDesc: { ...child.descriptor, mediaType: childParsed.manifest.mediaType }, manifestBytes: child.bytes, manifest: childParsed.manifest };
}

function checkLayers(name: string, manifest: ImageManifest): void {
  for (const [i, layer] of manifest.layers.entries()) {
    if (layerCompression(layer.mediaType) === null) {
      throw new ImageError('INVALID_IMAGE', `image ${name} layer ${i} (${layer.digest}) has media type ${layer.mediaType}, which berth cannot unpack`);
    }
  }
}

export async function pullImage(parts: ImageStoreParts, input: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(input);
  const name = formatReference(ref);
  const platform = opts.platform ?? parts.platform;
  const { top, manifestDesc, manifestBytes, manifest } = await resolveManifest(parts, ref, platform, opts);
  checkLayers(name, manifest);

  const layerDigests = manifest.layers.map((l) => l.digest);
  const release = parts.leases.acquire([manifestDesc.digest, manifest.config.digest, ...layerDigests]);
  const written: string[] = [];
  const unpacked: string[] = [];
  let releaseChains = (): void => {};
  try {
    let downloadedBytes = 0;
    const configResult = await parts.content.ingest(manifest.config, blobSource(parts, ref, manifest.config.digest, top.endpoint, opts), { retries: BLOB_RETRIES });
    if (configResult.status === 'written') written.push(manifest.config.digest);
    downloadedBytes += configResult.received;
    const config = await parts.readConfig(manifest.config.digest).catch((err: Error) => {
      throw new ImageError('INVALID_IMAGE', `image ${name} has an invalid config ${manifest.config.digest}: ${err.message}`, { cause: err });
    });
    if (platformRank({ os: config.os, architecture: config.architecture, variant: config.variant }, platform) === null) {
      throw new ImageError(
        'PLATFORM_MISMATCH',
        `image ${name} is for ${formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant })}, not ${formatPlatform(platform)}: it has no manifest for this host`,
      );
    }
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw new ImageError('INVALID_IMAGE', `image ${name} lists ${manifest.layers.length} layers but its config has ${diffIds.length} diff IDs`);
    }
    const chain = chainIds(diffIds);
    releaseChains = parts.leases.acquire(chain);

    let allPresent = true;
    const results = await mapLimit(manifest.layers, parts.maxConcurrentDownloads, async (layer: Descriptor, i) => {
      const chainId = chain[i] as string;
      const report = (p: Omit<LayerProgress, 'digest'>): void => opts.onProgress?.({ digest: layer.digest, ...p });
      if (await parts.layers.has(chainId)) {
        report({ done: layer.size, total: layer.size, status: 'already exists' });
        return 0;
      }
      allPresent = false;
      report({ done: 0, total: layer.size, status: 'waiting' });
      const ingest = await parts.content.ingest(layer, blobSource(parts, ref, layer.digest, top.endpoint, opts), {
        retries: BLOB_RETRIES,
        onProgress: (p: IngestProgress) => {
          if (p.status === 'downloading' || p.status === 'verifying') report({ done: p.done, total: p.total, status: p.status });
        },
      });
      if (ingest.status === 'written') written.push(layer.digest);
      report({ done: layer.size, total: layer.size, status: 'extracting' });
      const result = await parts.layers.unpack({
        chainId,
        parent: i === 0 ? null : (chain[i - 1] as string),
        diffId: diffIds[i] as string,
        blob: layer.digest,
        open: () => parts.content.openRead(layer.digest) as Readable & AsyncIterable<Uint8Array>,
      });
      if (result.unpacked) unpacked.push(chainId);
      report({ done: layer.size, total: layer.size, status: 'complete' });
      return ingest.received;
    });
    downloadedBytes += results.reduce((a, b) => a + b, 0);

    await parts.content.writeBuffer(manifestDesc, manifestBytes);
    const recordName = ref.digest !== undefined ? `${repositoryName(ref)}@${ref.digest}` : name;
    const repoDigest = `${repositoryName(ref)}@${top.descriptor.digest}`;
    const before = await parts.metaLock.run(() =>
      parts.content.updateIndex((entries) => {
        const previous = entries.find((e) => e.annotations?.['org.opencontainers.image.ref.name'] === recordName)?.digest;
        return {
          manifests: withName(entries, recordName, { manifest: manifestDesc, id: manifest.config.digest, repoDigests: [repoDigest] }),
          result: previous,
        };
      }),
    );
    return {
      reference: recordName,
      id: manifest.config.digest,
      digest: top.descriptor.digest,
      manifestDigest: manifestDesc.digest,
      downloadedBytes,
      upToDate: allPresent && before === manifestDesc.digest,
    };
  } catch (err) {
    if (!isTransient(err)) {
      await removeUnreferenced(parts, written, unpacked, [release, releaseChains]).catch(() => {});
    }
    throw err;
  } finally {
    release();
    releaseChains();
  }
}
