// `docker system df`: what images take on disk, which of it is shared between images and what
// removing unused images would free; and a du-like walk for containers' writable layers and
// volumes (pure Node: no shell, no symlink followed, hardlinks counted once, one filesystem).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chainIds } from '../snapshots/snapshotter.ts';
import { entryName } from './index-entries.ts';
import type { ImageStoreParts } from './parts.ts';
import type { IsImageInUse } from './remove.ts';
import { imageIdOf } from './resolve.ts';

export interface ImageUsage {
  id: string;
  /** Fully qualified names; empty for a dangling image. */
  names: string[];
  /** Unpacked size of all its layers. */
  size: number;
  /** Bytes of its layers that other images use too. */
  sharedSize: number;
  /** Bytes only this image uses: what removing it frees. */
  uniqueSize: number;
  /** Whether a container uses it (from `isImageInUse`). */
  inUse: boolean;
}

export interface ImagesDiskUsage {
  images: ImageUsage[];
  /** Images in the store (TOTAL). */
  count: number;
  /** Images a container uses (ACTIVE). */
  active: number;
  /** Unpacked layers, each counted once (SIZE). */
  totalSize: number;
  /** Bytes of layers used by more than one image. */
  sharedSize: number;
  /** Bytes of layers no image in use needs: what `image prune -a` would free (RECLAIMABLE). */
  reclaimable: number;
  /** Bytes of blobs in the content store (compressed layers, configs, manifests). */
  contentSize: number;
}

export interface DiskUsageOptions {
  isImageInUse?: IsImageInUse;
}

export async function imagesDiskUsage(parts: ImageStoreParts, opts: DiskUsageOptions = {}): Promise<ImagesDiskUsage> {
  const entries = (await parts.content.readIndex()).manifests;
  const images = new Map<string, { id: string; names: string[]; chains: string[] }>();
  for (const entry of entries) {
    const id = imageIdOf(entry);
    let image = images.get(id);
    if (!image) {
      let chains: string[] = [];
      try {
        const manifest = await parts.readManifest(entry.digest);
        chains = chainIds((await parts.readConfig(manifest.config.digest)).rootfs.diff_ids);
      } catch {
        // A damaged record: no layers known.
      }
      image = { id, names: [], chains };
      images.set(id, image);
    }
    const name = entryName(entry);
    if (name !== undefined) image.names.push(name);
  }

  const sizes = new Map<string, number>();
  const users = new Map<string, number>();
  for (const image of images.values()) {
    for (const chain of new Set(image.chains)) {
      if (!sizes.has(chain)) sizes.set(chain, (await parts.layers.info(chain))?.size ?? 0);
      users.set(chain, (users.get(chain) ?? 0) + 1);
    }
  }
  const activeChains = new Set<string>();
  const rows: ImageUsage[] = [];
  for (const image of images.values()) {
    const inUse = Boolean(await opts.isImageInUse?.(image.id));
    const chains = [...new Set(image.chains)];
    if (inUse) chains.forEach((c) => activeChains.add(c));
    const size = chains.reduce((a, c) => a + (sizes.get(c) ?? 0), 0);
    const sharedSize = chains.filter((c) => (users.get(c) ?? 0) > 1).reduce((a, c) => a + (sizes.get(c) ?? 0), 0);
    rows.push({ id: image.id, names: image.names, size, sharedSize, uniqueSize: size - sharedSize, inUse });
  }
  let contentSize = 0;
  for (const digest of await parts.content.list()) contentSize += (await parts.content.size(digest)) ?? 0;
  const all = [...sizes.entries()];
  return {
    images: rows,
    count: rows.length,
    active: rows.filter((r) => r.inUse).length,
    totalSize: all.reduce((a, [, s]) => a + s, 0),
    sharedSize: all.filter(([c]) => (users.get(c) ?? 0) > 1).reduce((a, [, s]) => a + s, 0),
    reclaimable: all.filter(([c]) => !activeChains.has(c)).reduce((a, [, s]) => a + s, 0),
    contentSize,
  };
}

export interface PathUsage {
  path: string;
  exists: boolean;
  /** Apparent size: bytes of file content (and symlink targets), as `du -sb`. */
  size: number;
  /** Allocated blocks × 512, as `du -s --block-size=1`. */
  diskUsage: number;
  /** Entries below the path (files, directories, links...), the path itself excluded. */
  entries: number;
}

/**
 * du of one directory tree: no symlink followed, each inode counted once, other filesystems
 * (mounts below the path) not entered. Entries vanishing during the walk are skipped.
 */
export async function directoryUsage(path: string): Promise<PathUsage> {
  const usage: PathUsage = { path, exists: false, size: 0, diskUsage: 0, entries: 0 };
  const root = await lstat(path).catch(() => null);
  if (!root) return usage;
  usage.exists = true;
  const seen = new Set<string>();
  const count = (st: Awaited<ReturnType<typeof lstat>>): void => {
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    usage.size += st.isDirectory() ? 0 : Number(st.size);
    usage.diskUsage += Number(st.blocks) * 512;
  };
  count(root);
  if (!root.isDirectory()) return usage;
  const dirs = [path];
  while (dirs.length > 0) {
    const dir = dirs.pop() as string;
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const child = join(dir, name);
      const st = await lstat(child).catch(() => null);
      if (!st) continue;
      usage.entries++;
      count(st);
      if (st.isDirectory() && st.dev === root.dev) dirs.push(child);
    }
  }
  return usage;
}

export interface LocalDiskUsage {
  /** By container ID: the size of its writable layer (upper dir). */
  containers: Record<string, PathUsage>;
  /** By volume name: the size of its data dir. */
  volumes: Record<string, PathUsage>;
  containersSize: number;
  volumesSize: number;
}

/** Sizes of containers' upper dirs and volumes' data dirs, for `docker system df`. */
export async function localDiskUsage(input: { containers?: Record<string, string>; volumes?: Record<string, string> }): Promise<LocalDiskUsage> {
  const containers: Record<string, PathUsage> = {};
  const volumes: Record<string, PathUsage> = {};
  for (const [id, dir] of Object.entries(input.containers ?? {})) containers[id] = await directoryUsage(dir);
  for (const [name, dir] of Object.entries(input.volumes ?? {})) volumes[name] = await directoryUsage(dir);
  const sum = (r: Record<string, PathUsage>): number => Object.values(r).reduce((a, u) => a + u.size, 0);
  return { containers, volumes, containersSize: sum(containers), volumesSize: sum(volumes) };
}
