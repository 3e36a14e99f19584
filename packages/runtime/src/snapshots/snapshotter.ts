// Unpacked layers keyed by chain ID: <root>/<chain hex>/diff holds one layer's files, never
// written after unpacking, and <root>/<chain hex>/layer.json what is known about it. A layer is
// unpacked into <root>/.tmp-* and renamed into place, so a failure leaves nothing behind.
// The snapshotter decides mounts; it does not mount (the caller, or the OCI runtime, does).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnceMap } from '../content/locks.ts';
import { decompress } from './decompress.ts';
import { LayerError } from './errors.ts';
import { extractEntries } from './extract.ts';
import type { NodeOps } from './node-ops.ts';
import { readTar, TarError } from './tar-reader.ts';
import type { IdMappings } from '../userns/idmap.ts';

export interface LayerInfo {
  chainId: string;
  diffId: string;
  /** Chain ID of the layer below, null for a base layer. */
  parent: string | null;
  /** Bytes of file content (what docker sums into an image's size). */
  size: number;
  /** The blob it was unpacked from. */
  blob?: string;
}

/** A mount as the OCI runtime spec and containerd's snapshotters describe one. */
export interface SnapshotMount {
  type: string;
  source: string;
  options: string[];
}

export interface UnpackRequest {
  chainId: string;
  parent: string | null;
  diffId: string;
  blob?: string;
  /** The layer blob's bytes (compressed or not). */
  open: () => AsyncIterable<Uint8Array>;
}

/** The chain IDs of a stack of diff IDs (bottom first), as the OCI image spec defines them. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`);
  }
  return out;
}

function hexOf(digest: string): string {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  if (!hex) throw new LayerError('NOT_FOUND', `${JSON.stringify(digest)} is not a sha256 chain ID`);
  return hex;
}

export interface SnapshotterLimits {
  /** Largest uncompressed layer (tar bytes) accepted; default 64 GiB. */
  maxLayerBytes?: number;
  /** Free space kept on the store's filesystem while unpacking; default 1 GiB. */
  reserveBytes?: number;
}

export interface SnapshotterOptions extends SnapshotterLimits {
  /**
   * A user namespace remap store: every owner is shifted into the range as layers are
   * unpacked (Docker's /var/lib/docker/<uid>.<gid>/). A store holds one mapping, always.
   */
  idMappings?: IdMappings;
}

const GiB = 1024 ** 3;
/** How often (in unpacked bytes) free space is looked at. */
const SPACE_CHECK_EVERY = 32 * 1024 * 1024;

export class Snapshotter {
  private readonly unpacking = new OnceMap<{ info: LayerInfo; unpacked: boolean }, never>();

  constructor(
    readonly root: string,
    private readonly ops: NodeOps,
    private readonly limits: SnapshotterOptions = {},
  ) {
    // overlay's mount options are ':' and ',' separated; a root holding them cannot be mounted.
    if (/[:,]/.test(root)) throw new Error(`layer root ${root} contains ':' or ',', which overlay mount options cannot carry`);
  }

  layerDir(chainId: string): string {
    return join(this.root, hexOf(chainId));
  }

  diffDir(chainId: string): string {
    return join(this.layerDir(chainId), 'diff');
  }

  async info(chainId: string): Promise<LayerInfo | null> {
    try {
      return JSON.parse(await readFile(join(this.layerDir(chainId), 'layer.json'), 'utf8')) as LayerInfo;
    } catch {
      return null;
    }
  }

  async has(chainId: string): Promise<boolean> {
    return (await this.info(chainId)) !== null;
  }

  /**
   * Unpacks a layer once: concurrent requests for one chain ID share the work, and a layer
   * already unpacked is not touched. The tar is checked against `diffId` as it streams.
   */
  unpack(req: UnpackRequest): Promise<{ info: LayerInfo; unpacked: boolean }> {
    return this.unpacking.run(req.chainId, undefined, async () => {
      const existing = await this.info(req.chainId);
      if (existing) return { info: existing, unpacked: false };
      return { info: await this.unpackOnce(req), unpacked: true };
    }).promise;
  }

  private async unpackOnce(req: UnpackRequest): Promise<LayerInfo> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const tmp = join(this.root, `.tmp-${hexOf(req.chainId)}-${randomBytes(4).toString('hex')}`);
    const diff = join(tmp, 'diff');
    try {
      await mkdir(diff, { recursive: true, mode: 0o755 });
      const { stream } = await decompress(req.open());
      const hash = createHash('sha256');
      const layer = req.blob ?? req.diffId;
      const max = this.limits.maxLayerBytes ?? 64 * GiB;
      const reserve = this.limits.reserveBytes ?? GiB;
      // A few MB of gzip can unpack to terabytes: count as it streams, and stop before the disk fills.
      async function* hashed(): AsyncGenerator<Uint8Array> {
        let total = 0;
        let nextCheck = 0;
        for await (const chunk of stream) {
          total += chunk.length;
          if (total > max) {
            throw new LayerError('TOO_LARGE', `layer ${layer} unpacks to more than ${max} bytes, the limit for one layer: the image is refused (a decompression bomb, or a layer too big for this host)`);
          }
          if (total >= nextCheck) {
            nextCheck = total + SPACE_CHECK_EVERY;
            const fs = await statfs(diff);
            const free = fs.bavail * fs.bsize;
            if (free < reserve) throw noSpace(layer, diff, `${free} bytes are left and ${reserve} are kept free`);
          }
          hash.update(chunk);
          yield chunk;
        }
      }
      let result;
      try {
        result = await extractEntries(readTar(hashed()), diff, this.ops, this.limits.idMappings ? { idMappings: this.limits.idMappings } : {});
      } catch (err) {
        if (err instanceof LayerError) throw err;
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw noSpace(layer, diff, 'the disk is full');
        const what = err instanceof TarError ? 'is not a valid tar' : 'could not be read';
        throw new LayerError('INVALID_ARCHIVE', `layer ${req.blob ?? req.diffId} ${what}: ${(err as Error).message}`, undefined, { cause: err });
      }
      const diffId = `sha256:${hash.digest('hex')}`;
      if (diffId !== req.diffId) {
        throw new LayerError('DIFF_ID_MISMATCH', `layer ${req.blob ?? ''} unpacks to content ${diffId}, but the image config lists ${req.diffId}: the image is corrupt`);
      }
      const info: LayerInfo = { chainId: req.chainId, diffId, parent: req.parent, size: result.size };
      if (req.blob) info.blob = req.blob;
      await writeFile(join(tmp, 'layer.json'), JSON.stringify(info), { mode: 0o600 });
      try {
        await rename(tmp, this.layerDir(req.chainId));
      } catch (err) {
        // Another process unpacked it first: theirs is as good as ours.
        if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
        await rm(tmp, { recursive: true, force: true });
      }
      return info;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** lowerdir paths for a stack of chain IDs (bottom first in, top first out, as overlay wants). */
  lowerdirs(chain: readonly string[]): string[] {
    return [...chain].reverse().map((id) => this.diffDir(id));
  }

  /**
   * The mounts that make the image's root filesystem: overlay of the layers, writable when an
   * upper and work dir are given; a read-only view otherwise (one layer: a bind mount, since
   * overlay needs two lowers without an upper).
   */
  async mounts(chain: readonly string[], writable?: { upperdir: string; workdir: string }): Promise<SnapshotMount[]> {
    for (const id of chain) {
      if (!(await this.has(id))) throw new LayerError('NOT_FOUND', `layer ${id} is not unpacked under ${this.root}: pull the image again`);
    }
    const lower = this.lowerdirs(chain);
    if (writable) {
      if (/[:,]/.test(writable.upperdir + writable.workdir)) throw new Error(`upperdir and workdir cannot contain ':' or ','`);
      return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lower.join(':')}`, `upperdir=${writable.upperdir}`, `workdir=${writable.workdir}`] }];
    }
    if (lower.length === 1) return [{ type: 'bind', source: lower[0] as string, options: ['ro', 'rbind'] }];
    return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lower.join(':')}`, 'ro'] }];
  }

  /** Every unpacked layer's chain ID. */
  async list(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async remove(chainId: string): Promise<void> {
    // Rename first so a half-deleted layer is never mistaken for a whole one.
    const dir = this.layerDir(chainId);
    const doomed = join(this.root, `.rm-${hexOf(chainId)}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(dir, doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(doomed, { recursive: true, force: true });
  }

  /** Removes layers not in `keep`, and leftovers of interrupted unpacks; returns removed chain IDs. */
  async gc(keep: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const id of await this.list()) {
      if (keep.has(id) || this.unpacking.has(id)) continue;
      await this.remove(id);
      removed.push(id);
    }
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (!name.startsWith('.tmp-') && !name.startsWith('.rm-')) continue;
      const inFlight = this.unpacking.keys().some((id) => name.startsWith(`.tmp-${hexOf(id)}`));
      if (!inFlight && (await stat(join(this.root, name)).catch(() => null))) await rm(join(this.root, name), { recursive: true, force: true });
    }
    return removed;
  }
}

function noSpace(layer: string, dir: string, why: string): LayerError {
  return new LayerError('NO_SPACE', `unpacking layer ${layer} would fill the disk holding ${dir}: ${why}; free some space (berth image prune, system df) and pull again`);
}
