// The agent's image store, as a Docker engine keeps one: <root> is an OCI image layout (blobs,
// index.json naming the images) and <root>/layers holds each layer unpacked once.
import { join } from 'node:path';
import { Mutex } from '../content/locks.ts';
import { ContentStore } from '../content/store.ts';
import { DistributionClient } from '../distribution/client.ts';
import type { DistributionClientOptions } from '../distribution/client.ts';
import { hostPlatform } from '../distribution/platform.ts';
import type { PlatformSpec } from '../distribution/platform.ts';
import { parseTagReference, familiarString } from '../distribution/reference.ts';
import { hostNodeOps } from '../snapshots/node-ops.ts';
import type { NodeOps } from '../snapshots/node-ops.ts';
import { chainIds, Snapshotter } from '../snapshots/snapshotter.ts';
import type { SnapshotMount, SnapshotterLimits } from '../snapshots/snapshotter.ts';
import type { IdMappings } from '../userns/idmap.ts';
import { hostExec } from '../sys/exec.ts';
import { ImageError } from './errors.ts';
import { withName } from './index-entries.ts';
import { Leases } from './leases.ts';
import { blobReaders } from './parts.ts';
import type { ImageStoreParts } from './parts.ts';
import { pullImage } from './pull.ts';
import type { PullOptions, PullResult } from './pull.ts';
import { pruneImages, removeImage } from './remove.ts';
import type { PruneOptions, PruneResult, RemoveEvent, RemoveOptions } from './remove.ts';
import { repoDigestsOf } from './index-entries.ts';
import { resolveImage } from './resolve.ts';
import { imageHistory, inspectImage, listImages } from './views.ts';
import { commitContainer } from './commit.ts';
import type { CommitOptions, CommitResult } from './commit.ts';
import { imagesDiskUsage, localDiskUsage } from './disk-usage.ts';
import type { DiskUsageOptions, ImagesDiskUsage, LocalDiskUsage } from './disk-usage.ts';
import { loadImages } from './load.ts';
import type { LoadResult } from './load.ts';
import { pushImage } from './push.ts';
import type { PushOptions, PushResult } from './push.ts';
import { saveImages } from './save.ts';
import type { SaveResult } from './save.ts';
import type { Readable, Writable } from 'node:stream';
import type { HistoryEntry, ImageInspect, ImageSummary, ListOptions } from './views.ts';

export interface ImageServiceOptions {
  /** The store's directory, e.g. <stateDir>/images. */
  root: string;
  /** Registry settings: mirrors, insecure registries, credentials lookup, fetch. */
  registry?: DistributionClientOptions;
  /** A client to share (its token cache); built from `registry` otherwise. */
  client?: DistributionClient;
  /** Defaults to this host's platform. */
  platform?: PlatformSpec;
  /** Layers downloaded at once per pull (Docker's max-concurrent-downloads: 3). */
  maxConcurrentDownloads?: number;
  /** mknod/mkfifo/setfattr; defaults to the host's binaries. */
  nodeOps?: NodeOps;
  /** Largest unpacked layer and the free space kept while unpacking (decompression bombs, full disks). */
  layerLimits?: SnapshotterLimits;
  /**
   * A user namespace remap store (BERTH_USERNS_REMAP): layers are unpacked with owners shifted
   * into the range and commits shift them back. `root` must then be the remap's own store.
   */
  idMappings?: IdMappings;
}

export interface PreparedRootfs {
  /** Layer directories, top layer first, as overlay's lowerdir lists them. */
  lowerdirs: string[];
  /** Mounts to make (by the caller or the OCI runtime): overlay, or a bind for a one-layer view. */
  mounts: SnapshotMount[];
}

export class ImageService {
  readonly content: ContentStore;
  readonly layers: Snapshotter;
  readonly client: DistributionClient;
  private readonly parts: ImageStoreParts;
  /** The remap this store's layers are shifted by; absent for a plain store. */
  readonly idMappings: IdMappings | undefined;
  private ready: Promise<void> | null = null;

  constructor(opts: ImageServiceOptions) {
    this.content = new ContentStore(opts.root);
    this.idMappings = opts.idMappings;
    this.layers = new Snapshotter(join(opts.root, 'layers'), opts.nodeOps ?? hostNodeOps(hostExec()), { ...opts.layerLimits, ...(opts.idMappings ? { idMappings: opts.idMappings } : {}) });
    this.client = opts.client ?? new DistributionClient(opts.registry);
    this.parts = {
      content: this.content,
      layers: this.layers,
      client: this.client,
      leases: new Leases(),
      metaLock: new Mutex(),
      platform: opts.platform ?? hostPlatform(),
      maxConcurrentDownloads: opts.maxConcurrentDownloads ?? 3,
      ...blobReaders(this.content),
    };
  }

  private init(): Promise<void> {
    this.ready ??= this.content.init().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /** `docker pull`: the image for this host's platform, each layer downloaded and unpacked once. */
  async pull(reference: string, opts: PullOptions = {}): Promise<PullResult> {
    await this.init();
    return pullImage(this.parts, reference, opts);
  }

  /** `docker images`. */
  async list(opts: ListOptions = {}): Promise<ImageSummary[]> {
    await this.init();
    return listImages(this.parts, opts);
  }

  /** `docker tag SOURCE TARGET`: SOURCE by name or ID; TARGET moves here from any other image. */
  async tag(source: string, target: string): Promise<void> {
    await this.init();
    const ref = parseTagReference(target);
    const name = `${ref.domain}/${ref.path}:${ref.tag}`;
    await this.parts.metaLock.run(async () => {
      await this.content.updateIndex((entries) => {
        const image = resolveImage(entries, source);
        const manifest = entries.find((e) => e.digest === image.manifests[0]);
        if (!manifest) throw new ImageError('NOT_FOUND', `no such image: ${source}`);
        return { manifests: withName(entries, name, { manifest, id: image.id, repoDigests: repoDigestsOf(entries, manifest.digest) }), result: undefined };
      });
    });
  }

  /** `docker rmi`: untag, and remove the image with its last name. */
  async remove(reference: string, opts: RemoveOptions = {}): Promise<RemoveEvent[]> {
    await this.init();
    return removeImage(this.parts, reference, opts);
  }

  /** `docker image prune` and garbage collection of unreachable blobs and layers. */
  async prune(opts: PruneOptions = {}): Promise<PruneResult> {
    await this.init();
    return pruneImages(this.parts, opts);
  }

  async inspect(reference: string): Promise<ImageInspect> {
    await this.init();
    return inspectImage(this.parts, reference);
  }

  async history(reference: string): Promise<HistoryEntry[]> {
    await this.init();
    return imageHistory(this.parts, reference);
  }

  /** `docker push`: the image's platform manifest and the blobs the registry lacks (mounted from a sibling repository when it can). */
  async push(reference: string, opts: PushOptions = {}): Promise<PushResult> {
    await this.init();
    return pushImage(this.parts, reference, opts);
  }

  /** `docker save`: a docker-archive (Docker 25 layout, also an OCI archive) to a file path or a stream. */
  async save(references: readonly string[], out: string | Writable): Promise<SaveResult> {
    await this.init();
    return saveImages(this.parts, references, out);
  }

  /** `docker load`: a docker-archive or OCI archive tar, plain or compressed; everything verified before the store changes. */
  async load(input: string | Readable | AsyncIterable<Uint8Array>): Promise<LoadResult> {
    await this.init();
    return loadImages(this.parts, input);
  }

  /** `docker commit`: a new image from a container's overlay upper dir on top of its image. */
  async commit(opts: CommitOptions): Promise<CommitResult> {
    await this.init();
    return commitContainer(this.parts, this.idMappings ? { idMappings: this.idMappings, ...opts } : opts);
  }

  /** The images part of `docker system df`. */
  async diskUsage(opts: DiskUsageOptions = {}): Promise<ImagesDiskUsage> {
    await this.init();
    return imagesDiskUsage(this.parts, opts);
  }

  /** The containers and volumes part of `docker system df`: sizes of upper dirs and volume dirs, by a du-like walk. */
  localDiskUsage(input: { containers?: Record<string, string>; volumes?: Record<string, string> }): Promise<LocalDiskUsage> {
    return localDiskUsage(input);
  }

  /**
   * The root filesystem of an image as mounts, not mounted: overlay with the image's layers as
   * lowerdirs (top first), writable with `writable`'s upper and work dirs.
   */
  async prepare(reference: string, writable?: { upperdir: string; workdir: string }): Promise<PreparedRootfs> {
    await this.init();
    const image = await this.inspect(reference);
    const chain = chainIds(image.rootfs.diffIds);
    try {
      return { lowerdirs: this.layers.lowerdirs(chain), mounts: await this.layers.mounts(chain, writable) };
    } catch (err) {
      throw new ImageError('NOT_FOUND', `image ${familiarOr(reference)} (${image.id}) is missing unpacked layers: pull it again (${(err as Error).message})`, { cause: err });
    }
  }
}

function familiarOr(reference: string): string {
  try {
    return familiarString(parseTagReference(reference));
  } catch {
    return reference;
  }
}
