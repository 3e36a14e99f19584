// What the image operations share: the content store, the layers, the registry client, and
// the coordination between them. Manifests and configs are immutable, so they are cached.
import type { ContentStore } from '../content/store.ts';
import type { Mutex } from '../content/locks.ts';
import type { DistributionClient } from '../distribution/client.ts';
import { parseImageConfig, parseManifest } from '../distribution/manifest.ts';
import type { ImageConfig, ImageManifest } from '../distribution/manifest.ts';
import type { PlatformSpec } from '../distribution/platform.ts';
import type { Snapshotter } from '../snapshots/snapshotter.ts';
import { ImageError } from './errors.ts';
import type { Leases } from './leases.ts';

export interface ImageStoreParts {
  content: ContentStore;
  layers: Snapshotter;
  client: DistributionClient;
  leases: Leases;
  /** Serialises index.json changes with the removals and collections that depend on them. */
  metaLock: Mutex;
  platform: PlatformSpec;
  maxConcurrentDownloads: number;
  readManifest(digest: string): Promise<ImageManifest>;
  readConfig(digest: string): Promise<ImageConfig>;
}

export function blobReaders(content: ContentStore): Pick<ImageStoreParts, 'readManifest' | 'readConfig'> {
  const manifests = new Map<string, ImageManifest>();
  const configs = new Map<string, ImageConfig>();
  return {
    async readManifest(digest) {
      const cached = manifests.get(digest);
      if (cached) return cached;
      const parsed = parseManifest(await content.read(digest), '');
      if (parsed.kind !== 'manifest') throw new ImageError('INVALID_IMAGE', `blob ${digest} is an index, not an image manifest`);
      manifests.set(digest, parsed.manifest);
      return parsed.manifest;
    },
    async readConfig(digest) {
      const cached = configs.get(digest);
      if (cached) return cached;
      const config = parseImageConfig(await content.read(digest));
      configs.set(digest, config);
      return config;
    },
  };
}

/** Runs `fn` over `items` with at most `limit` at a time; waits for all, then throws the first error. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      // After a failure, start nothing new: the pull is lost anyway.
      if (failed) {
        results[i] = { status: 'rejected', reason: new Error('skipped after an earlier failure') };
        continue;
      }
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T, i) };
      } catch (reason) {
        failed = true;
        results[i] = { status: 'rejected', reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const firstError = results.find((r) => r.status === 'rejected' && !(r.reason instanceof Error && r.reason.message === 'skipped after an earlier failure'));
  if (firstError) throw (firstError as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}
