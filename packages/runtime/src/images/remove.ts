// `docker rmi` and `docker image prune`, and the deletion of content no image uses any more.
// Removing a name only untags while the image has other names; the last name removes the image
// and every blob and layer no other image (and no pull in flight) uses.
import type { BlobDescriptor } from '../content/store.ts';
import { familiarString, parseReference } from '../distribution/reference.ts';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, parseManifest } from '../distribution/manifest.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { ImageError } from './errors.ts';
import { entryName, withoutImage, withoutName } from './index-entries.ts';
import type { ImageStoreParts } from './parts.ts';
import { imageIdOf, resolveImage } from './resolve.ts';

/** Says whether a container uses an image; a string names the container (for the conflict message). */
export type IsImageInUse = (imageId: string) => boolean | string | undefined | Promise<boolean | string | undefined>;

export interface RemoveOptions {
  /** Untag even when other repositories or a container refer to the image (layers a container uses are never deleted). */
  force?: boolean;
  isImageInUse?: IsImageInUse;
}

/** One line of `docker rmi` output. */
export type RemoveEvent = { untagged: string } | { deleted: string };

export interface PruneOptions {
  /** Also remove unused images that have names (`docker image prune -a`). */
  all?: boolean;
  isImageInUse?: IsImageInUse;
}

export interface PruneResult {
  /** Image IDs removed. */
  deleted: string[];
  /** Bytes freed from blobs, partial downloads and unpacked layers. */
  spaceReclaimed: number;
}

function displayName(name: string): string {
  try {
    return familiarString(parseReference(name));
  } catch {
    return name;
  }
}

function repositoryOf(name: string): string {
  return name.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
}

/** Blobs and chain IDs the images recorded in `entries` use. */
export async function referencedContent(parts: ImageStoreParts, entries: readonly BlobDescriptor[]): Promise<{ blobs: Set<string>; chains: Set<string> }> {
  const blobs = new Set<string>();
  const chains = new Set<string>();
  for (const digest of new Set(entries.map((e) => e.digest))) {
    blobs.add(digest);
    try {
      const manifest = await parts.readManifest(digest);
      blobs.add(manifest.config.digest);
      for (const layer of manifest.layers) blobs.add(layer.digest);
      const config = await parts.readConfig(manifest.config.digest);
      for (const id of chainIds(config.rootfs.diff_ids)) chains.add(id);
    } catch {
      // A damaged record keeps what it names; the rest of its content cannot be known.
    }
  }
  return { blobs, chains };
}

/** Deletes the given blobs and layers unless a recorded image or a pull in flight uses them. */
export async function removeUnreferenced(parts: ImageStoreParts, blobs: readonly string[], chains: readonly string[], releaseFirst: (() => void)[] = []): Promise<{ blobs: string[]; chains: string[] }> {
  for (const release of releaseFirst) release();
  return parts.metaLock.run(async () => {
    const index = await parts.content.readIndex();
    const used = await referencedContent(parts, index.manifests);
    const removed = { blobs: [] as string[], chains: [] as string[] };
    for (const chain of new Set(chains)) {
      if (used.chains.has(chain) || parts.leases.has(chain)) continue;
      if (await parts.layers.has(chain)) removed.chains.push(chain);
      await parts.layers.remove(chain);
    }
    for (const blob of new Set(blobs)) {
      if (used.blobs.has(blob) || parts.leases.has(blob)) continue;
      if (await parts.content.has(blob)) removed.blobs.push(blob);
      await parts.content.delete(blob);
    }
    return removed;
  });
}

async function inUse(opts: { isImageInUse?: IsImageInUse }, id: string): Promise<string | null> {
  const answer = await opts.isImageInUse?.(id);
  if (!answer) return null;
  return typeof answer === 'string' ? `container ${answer}` : 'a container';
}

/** Removes the image's records and the content only it used. */
async function deleteImage(parts: ImageStoreParts, manifests: readonly string[], id: string): Promise<RemoveEvent[]> {
  const blobs: string[] = [];
  const chains: string[] = [];
  for (const digest of manifests) {
    blobs.push(digest);
    const manifest = await parts.readManifest(digest).catch(() => null);
    if (!manifest) continue;
    blobs.push(manifest.config.digest, ...manifest.layers.map((l) => l.digest));
    const config = await parts.readConfig(manifest.config.digest).catch(() => null);
    if (config) chains.push(...chainIds(config.rootfs.diff_ids));
  }
  await parts.content.updateIndex((entries) => ({ manifests: manifests.reduce(withoutImage, entries), result: undefined }));
  const index = await parts.content.readIndex();
  const used = await referencedContent(parts, index.manifests);
  const events: RemoveEvent[] = [{ deleted: id }];
  for (const chain of [...new Set(chains)].reverse()) {
    if (used.chains.has(chain) || parts.leases.has(chain)) continue;
    if (await parts.layers.has(chain)) events.push({ deleted: chain });
    await parts.layers.remove(chain);
  }
  for (const blob of new Set(blobs)) {
    if (!used.blobs.has(blob) && !parts.leases.has(blob)) await parts.content.delete(blob);
  }
  return events;
}

export function removeImage(parts: ImageStoreParts, input: string, opts: RemoveOptions = {}): Promise<RemoveEvent[]> {
  return parts.metaLock.run(async () => {
    const entries = (await parts.content.readIndex()).manifests;
    const target = resolveImage(entries, input);
    const own = entries.filter((e) => target.manifests.includes(e.digest));
    const names = [...new Set(own.map(entryName).filter((n): n is string => n !== undefined))];

    if (target.name !== undefined) {
      // By name: untag; the image goes only with its last name.
      if (names.length > 1) {
        await parts.content.updateIndex((m) => ({ manifests: withoutName(m, target.name as string), result: undefined }));
        return [{ untagged: displayName(target.name) }];
      }
      const user = await inUse(opts, target.id);
      if (user && !opts.force) {
        throw new ImageError('CONFLICT', `unable to remove ${displayName(target.name)}: ${user} is using image ${target.id} (stop and remove it, or force to untag only)`);
      }
      await parts.content.updateIndex((m) => ({ manifests: withoutName(m, target.name as string), result: undefined }));
      const events: RemoveEvent[] = [{ untagged: displayName(target.name) }];
      if (user) return events;
      return [...events, ...(await deleteImage(parts, target.manifests, target.id))];
    }

    // By ID: every name goes, then the image.
    const repositories = new Set(names.map(repositoryOf));
    if (repositories.size > 1 && !opts.force) {
      throw new ImageError('CONFLICT', `unable to delete image ${target.id}: it is referenced in ${repositories.size} repositories (${[...repositories].map(displayName).join(', ')}); remove them by name or force`);
    }
    const user = await inUse(opts, target.id);
    if (user && !opts.force) throw new ImageError('CONFLICT', `unable to delete image ${target.id}: ${user} is using it (stop and remove it, or force to untag only)`);
    await parts.content.updateIndex((m) => ({ manifests: names.reduce(withoutName, m), result: undefined }));
    const events: RemoveEvent[] = names.map((n) => ({ untagged: displayName(n) }));
    if (user) return events;
    return [...events, ...(await deleteImage(parts, target.manifests, target.id))];
  });
}

/** What a blob refers to, for the content store's reachability walk. */
export async function childrenOf(desc: BlobDescriptor, bytes: () => Promise<Buffer>): Promise<BlobDescriptor[]> {
  if (!INDEX_MEDIA_TYPES.includes(desc.mediaType) && !MANIFEST_MEDIA_TYPES.includes(desc.mediaType)) return [];
  try {
    const parsed = parseManifest(await bytes(), desc.mediaType);
    return parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers];
  } catch {
    return [];
  }
}

/** Removes unused dangling images (all unused ones with `all`), then every unreachable blob and layer. */
export function pruneImages(parts: ImageStoreParts, opts: PruneOptions = {}): Promise<PruneResult> {
  return parts.metaLock.run(async () => {
    const entries = (await parts.content.readIndex()).manifests;
    const deleted: string[] = [];
    for (const digest of new Set(entries.map((e) => e.digest))) {
      const own = entries.filter((e) => e.digest === digest);
      const dangling = own.every((e) => entryName(e) === undefined);
      if (!dangling && !opts.all) continue;
      const id = imageIdOf(own[0] as BlobDescriptor);
      if (await inUse(opts, id)) continue;
      await parts.content.updateIndex((m) => ({ manifests: withoutImage(m, digest), result: undefined }));
      deleted.push(id);
    }
    const index = await parts.content.readIndex();
    const used = await referencedContent(parts, index.manifests);
    const leased = (await parts.content.list()).filter((d) => parts.leases.has(d)).map((digest) => ({ mediaType: 'application/octet-stream', digest, size: 0 }));
    const gc = await parts.content.gc(childrenOf, leased);
    let spaceReclaimed = gc.bytesFreed;
    const layers = await parts.layers.list();
    for (const chain of layers) {
      if (used.chains.has(chain) || parts.leases.has(chain)) continue;
      spaceReclaimed += (await parts.layers.info(chain))?.size ?? 0;
      await parts.layers.remove(chain);
    }
    await parts.layers.gc(new Set([...used.chains, ...layers.filter((c) => parts.leases.has(c))]));
    return { deleted: [...new Set(deleted)], spaceReclaimed };
  });
}
