// `docker push`: the image's blobs go to the registry first (each checked with HEAD, mounted
// from another repository of the same registry when the image came from one, uploaded
// otherwise), then the manifest by tag. The store keeps the platform manifest of a pulled image,
// not the index it came from, so the platform manifest is what is pushed: the pushed tag's
// digest is the image's manifest digest (as `docker push` of a single-platform image gives).
import type { RegistryCredentials } from '../distribution/auth.ts';
import type { Descriptor } from '../distribution/manifest.ts';
import { familiarString, parseReference, repositoryName } from '../distribution/reference.ts';
import type { Reference } from '../distribution/reference.ts';
import { ImageError } from './errors.ts';
import { entryName, repoDigestsOf, withName } from './index-entries.ts';
import { mapLimit } from './parts.ts';
import type { ImageStoreParts } from './parts.ts';
import { referenceName } from './resolve.ts';

export type PushStatus = 'waiting' | 'pushing' | 'pushed' | 'mounted' | 'already exists';

/** Progress of one blob (config or layer), as `docker push` draws a line per layer. */
export interface PushProgress {
  digest: string;
  done: number;
  total: number;
  status: PushStatus;
}

export interface PushOptions {
  credentials?: RegistryCredentials;
  onProgress?: (progress: PushProgress) => void;
  signal?: AbortSignal;
  /** Bytes per PATCH of a chunked upload (16 MiB). */
  chunkSize?: number;
}

export interface PushResult {
  /** The name pushed: 127.0.0.1:5000/app:latest. */
  reference: string;
  /** Manifest digest the registry stored the tag as. */
  digest: string;
  /** Image ID (config digest). */
  id: string;
  size: number;
  /** Blobs sent in this push. */
  uploaded: string[];
  /** Blobs mounted from another repository of the registry. */
  mounted: string[];
  /** Blobs the repository had already. */
  existing: string[];
}

/** Repositories on `domain` the image is known in (where it was pulled from or pushed to). */
function mountSources(repoDigests: readonly string[], target: Reference): string[] {
  const sources: string[] = [];
  for (const repoDigest of repoDigests) {
    try {
      const ref = parseReference(repoDigest);
      if (ref.domain === target.domain && ref.path !== target.path) sources.push(ref.path);
    } catch {
      // not a reference: skip
    }
  }
  return [...new Set(sources)];
}

export async function pushImage(parts: ImageStoreParts, input: string, opts: PushOptions = {}): Promise<PushResult> {
  const name = referenceName(input);
  if (name === null) throw new ImageError('NOT_FOUND', `cannot push ${JSON.stringify(input)}: give a repository name with a tag (tag the image first)`);
  const ref = parseReference(name);
  if (ref.digest !== undefined) throw new ImageError('CONFLICT', `cannot push ${familiarString(ref)} by digest: tag the image and push the tag`);
  const entries = (await parts.content.readIndex()).manifests;
  const entry = entries.find((e) => entryName(e) === name);
  if (!entry) throw new ImageError('NOT_FOUND', `no such image: ${familiarString(ref)} (tag an image as ${familiarString(ref)} first)`);
  const manifestBytes = await parts.content.read(entry.digest);
  const manifest = await parts.readManifest(entry.digest);
  const mediaType = manifest.mediaType || entry.mediaType;
  const sources = mountSources(repoDigestsOf(entries, entry.digest), ref);
  const repo = { domain: ref.domain, path: ref.path };

  const release = parts.leases.acquire([entry.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  try {
    for (const blob of [manifest.config, ...manifest.layers]) {
      if (!(await parts.content.has(blob.digest))) {
        throw new ImageError('INVALID_IMAGE', `cannot push ${familiarString(ref)}: blob ${blob.digest} is not in the store (the image was not fully pulled or loaded)`);
      }
    }
    const uploaded: string[] = [];
    const mounted: string[] = [];
    const existing: string[] = [];
    const blobs: Descriptor[] = [...manifest.layers, manifest.config];
    for (const blob of blobs) opts.onProgress?.({ digest: blob.digest, done: 0, total: blob.size, status: 'waiting' });
    await mapLimit(blobs, parts.maxConcurrentDownloads, async (blob: Descriptor) => {
      const report = (p: Omit<PushProgress, 'digest'>): void => opts.onProgress?.({ digest: blob.digest, ...p });
      const outcome = await parts.client.uploadBlob(repo, blob, () => parts.content.openRead(blob.digest), {
        credentials: opts.credentials,
        signal: opts.signal,
        chunkSize: opts.chunkSize,
        mountFrom: sources[0],
        onProgress: (sent) => report({ done: sent, total: blob.size, status: 'pushing' }),
      });
      if (outcome === 'exists') {
        existing.push(blob.digest);
        report({ done: blob.size, total: blob.size, status: 'already exists' });
      } else if (outcome === 'mounted') {
        mounted.push(blob.digest);
        report({ done: blob.size, total: blob.size, status: 'mounted' });
      } else {
        uploaded.push(blob.digest);
        report({ done: blob.size, total: blob.size, status: 'pushed' });
      }
    });
    const digest = await parts.client.putManifest(ref, mediaType, manifestBytes, { credentials: opts.credentials, signal: opts.signal });
    if (digest !== entry.digest) {
      throw new ImageError('INVALID_IMAGE', `registry ${ref.domain} stored ${familiarString(ref)} as ${digest}, but the manifest pushed is ${entry.digest}`);
    }
    // As docker does: the image now has a repo digest in the repository it was pushed to.
    await parts.metaLock.run(() =>
      parts.content.updateIndex((current) => {
        const still = current.find((e) => entryName(e) === name);
        if (!still || still.digest !== entry.digest) return { manifests: current, result: undefined };
        return {
          manifests: withName(current, name, { manifest: still, id: manifest.config.digest, repoDigests: [`${repositoryName(ref)}@${digest}`] }),
          result: undefined,
        };
      }),
    );
    return {
      reference: name,
      digest,
      id: manifest.config.digest,
      size: manifest.config.size + manifest.layers.reduce((a, l) => a + l.size, 0),
      uploaded,
      mounted,
      existing,
    };
  } finally {
    release();
  }
}
