// A content-addressed store in OCI image layout form:
//   <root>/oci-layout, <root>/index.json (references), <root>/blobs/sha256/<hex>,
//   <root>/ingest/<hex>.partial (downloads in progress; not part of the layout).
// A blob appears under blobs/ only once its bytes matched its digest and size.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, sha256Digest } from './digest.ts';
import { ContentError } from './errors.ts';
import { Mutex, OnceMap } from './locks.ts';

export const OCI_LAYOUT_VERSION = '1.0.0';
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** The annotation OCI layouts name references with. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface BlobDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface LayoutIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: BlobDescriptor[];
}

/** Where a blob's bytes come from, starting at `offset`; answers the offset it really starts at. */
export type BlobSource = (offset: number) => Promise<{ body: AsyncIterable<Uint8Array>; offset: number }>;

export type IngestStatus = 'waiting' | 'downloading' | 'verifying' | 'complete' | 'already exists';

export interface IngestProgress {
  digest: string;
  done: number;
  total: number;
  status: IngestStatus;
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** How many times an interrupted download is resumed (from the verified prefix). */
  retries?: number;
}

export interface IngestResult {
  /** Bytes received from the source in this call (0 if the blob was there or another call fetched it). */
  received: number;
  /** Bytes of a previous partial download reused. */
  resumedFrom: number;
  status: 'written' | 'already exists' | 'shared';
}

export interface GcResult {
  removedBlobs: string[];
  removedIngests: string[];
  bytesFreed: number;
}

/** Children of a blob for the reachability walk (manifest → config + layers, index → manifests). */
export type ChildrenOf = (desc: BlobDescriptor, bytes: () => Promise<Buffer>) => Promise<BlobDescriptor[]>;

export class ContentStore {
  private readonly ingests = new OnceMap<IngestResult, IngestProgress>();
  private readonly indexLock = new Mutex();

  constructor(readonly root: string) {}

  /** Creates the layout if missing; idempotent. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true, mode: 0o700 });
    await mkdir(join(this.root, 'ingest'), { recursive: true, mode: 0o700 });
    const layout = join(this.root, 'oci-layout');
    if (!(await exists(layout))) await writeAtomic(layout, JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
    const index = join(this.root, 'index.json');
    if (!(await exists(index))) await writeAtomic(index, JSON.stringify(emptyIndex()));
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  ingestPath(digest: string): string {
    return join(this.root, 'ingest', `${digestHex(digest)}.partial`);
  }

  /** Size of the stored blob, or null if absent. */
  async size(digest: string): Promise<number | null> {
    const s = await stat(this.blobPath(digest)).catch(() => null);
    return s?.isFile() ? s.size : null;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== null;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ContentError('NOT_FOUND', digest, `blob ${digest} is not in the content store at ${this.root}`);
      throw err;
    }
  }

  openRead(digest: string): ReadStream {
    return createReadStream(this.blobPath(digest));
  }

  /** Stores bytes already in memory (manifests, configs) after checking them against `desc`. */
  async writeBuffer(desc: Pick<BlobDescriptor, 'digest' | 'size'>, data: Buffer): Promise<void> {
    const actual = sha256Digest(data);
    if (actual !== desc.digest) throw new ContentError('DIGEST_MISMATCH', desc.digest, `content of ${desc.digest} hashes to ${actual}: refused`);
    if (data.length !== desc.size) throw new ContentError('SIZE_MISMATCH', desc.digest, `blob ${desc.digest} is ${data.length} bytes, its descriptor says ${desc.size}`);
    if (await this.has(desc.digest)) return;
    const partial = `${this.ingestPath(desc.digest)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(partial, data, { mode: 0o600 });
    await rename(partial, this.blobPath(desc.digest));
  }

  /**
   * Writes a blob from a stream, checking digest and size as bytes arrive: too many bytes abort
   * at once, a wrong digest at the end; either way the partial file is deleted. An interrupted
   * stream keeps ingest/<hex>.partial, and the next attempt resumes from it (`source` is asked
   * for the rest; if it can only start over, so does the ingest). Concurrent ingests of one
   * digest share one download.
   */
  ingest(desc: Pick<BlobDescriptor, 'digest' | 'size'>, source: BlobSource, opts: IngestOptions = {}): Promise<IngestResult> {
    try {
      digestHex(desc.digest);
    } catch (err) {
      return Promise.reject(err);
    }
    const { promise, joined } = this.ingests.run(desc.digest, opts.onProgress, (emit) => this.ingestOnce(desc, source, emit, opts.retries ?? 0));
    if (!joined) return promise;
    opts.onProgress?.({ digest: desc.digest, done: 0, total: desc.size, status: 'waiting' });
    return promise.then((r) => ({ ...r, received: 0, status: 'shared' as const }));
  }

  /** Digests being ingested right now (gc leaves their partial files alone). */
  activeIngests(): string[] {
    return this.ingests.keys();
  }

  private async ingestOnce(desc: Pick<BlobDescriptor, 'digest' | 'size'>, source: BlobSource, emit: (p: IngestProgress) => void, retries: number): Promise<IngestResult> {
    const { digest, size } = desc;
    const existing = await this.size(digest);
    if (existing !== null) {
      emit({ digest, done: size, total: size, status: 'already exists' });
      return { received: 0, resumedFrom: 0, status: 'already exists' };
    }
    let received = 0;
    let resumedFrom = -1;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.download(desc, source, emit);
        received += r.received;
        if (resumedFrom === -1) resumedFrom = r.resumedFrom;
        emit({ digest, done: size, total: size, status: 'complete' });
        return { received, resumedFrom, status: 'written' };
      } catch (err) {
        if (err instanceof ContentError && err.code === 'INTERRUPTED') {
          received += (err as ContentError & { received?: number }).received ?? 0;
          if (attempt < retries) continue;
        }
        throw err;
      }
    }
  }

  private async download(desc: Pick<BlobDescriptor, 'digest' | 'size'>, source: BlobSource, emit: (p: IngestProgress) => void): Promise<{ received: number; resumedFrom: number }> {
    const { digest, size } = desc;
    const partial = this.ingestPath(digest);
    const hash = createHash('sha256');
    let offset = await this.verifiedPrefix(partial, size, hash);
    const resumedFrom = offset;

    const answer = await source(offset);
    if (answer.offset !== offset) {
      if (answer.offset !== 0) throw new ContentError('INTERRUPTED', digest, `source of ${digest} started at byte ${answer.offset}, asked for ${offset}`);
      // The source cannot resume: start over.
      offset = 0;
      hash.destroy();
      return this.writeFrom(digest, size, partial, createHash('sha256'), 0, answer.body, emit, 0);
    }
    return this.writeFrom(digest, size, partial, hash, offset, answer.body, emit, resumedFrom);
  }

  private async writeFrom(
    digest: string,
    size: number,
    partial: string,
    hash: Hash,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    emit: (p: IngestProgress) => void,
    resumedFrom: number,
  ): Promise<{ received: number; resumedFrom: number }> {
    const file = await open(partial, offset === 0 ? 'w' : 'a', 0o600);
    let done = offset;
    let received = 0;
    let failure: ContentError | null = null;
    emit({ digest, done, total: size, status: 'downloading' });
    try {
      try {
        for await (const chunk of body) {
          if (done + chunk.length > size) {
            failure = new ContentError('SIZE_MISMATCH', digest, `blob ${digest} is bigger than the ${size} bytes its descriptor says: refused`);
            break;
          }
          await file.write(chunk);
          hash.update(chunk);
          done += chunk.length;
          received += chunk.length;
          emit({ digest, done, total: size, status: 'downloading' });
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
          failure = new ContentError('NO_SPACE', digest, `the disk holding the image store is full: blob ${digest} stopped after ${done} of ${size} bytes and was dropped; free some space (berth image prune, system df) and pull again`, { cause: err });
          throw failure;
        }
        const interrupted = new ContentError('INTERRUPTED', digest, `download of ${digest} stopped after ${done} of ${size} bytes (${causeOf(err)}); the ${done} bytes received are kept for a resume`, { cause: err });
        throw Object.assign(interrupted, { received });
      }
      if (!failure && done < size) {
        const truncated = new ContentError('INTERRUPTED', digest, `blob ${digest} ended after ${done} of ${size} bytes; the ${done} bytes received are kept for a resume`);
        throw Object.assign(truncated, { received });
      }
      if (!failure) {
        emit({ digest, done, total: size, status: 'verifying' });
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== digest) failure = new ContentError('DIGEST_MISMATCH', digest, `blob ${digest} arrived with digest ${actual}: the registry sent other content; refused`);
      }
      if (!failure) await file.sync();
    } finally {
      await file.close().catch(() => undefined);
      if (failure?.code === 'NO_SPACE') await rm(partial, { force: true });
    }
    if (failure) {
      await rm(partial, { force: true });
      throw failure;
    }
    await rename(partial, this.blobPath(digest));
    return { received, resumedFrom };
  }

  /** Re-hashes a kept partial download; returns its length (0 if none or unusable). */
  private async verifiedPrefix(partial: string, size: number, hash: Hash): Promise<number> {
    const s = await stat(partial).catch(() => null);
    if (!s) return 0;
    if (!s.isFile() || s.size > size) {
      await rm(partial, { force: true, recursive: true });
      return 0;
    }
    for await (const chunk of createReadStream(partial)) hash.update(chunk as Buffer);
    return s.size;
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  /** Every stored blob's digest. */
  async list(): Promise<string[]> {
    const names = await readdir(join(this.root, 'blobs', 'sha256')).catch(() => [] as string[]);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async readIndex(): Promise<LayoutIndex> {
    const text = await readFile(join(this.root, 'index.json'), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return JSON.stringify(emptyIndex());
      throw err;
    });
    const index = JSON.parse(text) as LayoutIndex;
    if (!Array.isArray(index.manifests)) throw new Error(`${join(this.root, 'index.json')} has no manifests list: the image store is damaged`);
    return index;
  }

  /** Read-modify-write of index.json, one at a time, replaced atomically. */
  updateIndex<T>(fn: (manifests: BlobDescriptor[]) => { manifests: BlobDescriptor[]; result: T }): Promise<T> {
    return this.indexLock.run(async () => {
      const index = await this.readIndex();
      const { manifests, result } = fn(index.manifests);
      await writeAtomic(join(this.root, 'index.json'), JSON.stringify({ ...index, manifests }));
      return result;
    });
  }

  /**
   * Deletes blobs that no root reaches and stale partial downloads. Roots are index.json's
   * descriptors plus `extraRoots`; `childrenOf` says what a blob refers to.
   */
  async gc(childrenOf: ChildrenOf, extraRoots: readonly BlobDescriptor[] = []): Promise<GcResult> {
    const index = await this.readIndex();
    const reachable = new Set<string>();
    const queue: BlobDescriptor[] = [...index.manifests, ...extraRoots];
    while (queue.length > 0) {
      const desc = queue.pop() as BlobDescriptor;
      if (reachable.has(desc.digest)) continue;
      reachable.add(desc.digest);
      if (!(await this.has(desc.digest))) continue;
      queue.push(...(await childrenOf(desc, () => this.read(desc.digest))));
    }
    const result: GcResult = { removedBlobs: [], removedIngests: [], bytesFreed: 0 };
    for (const digest of await this.list()) {
      if (reachable.has(digest) || this.ingests.has(digest)) continue;
      result.bytesFreed += (await this.size(digest)) ?? 0;
      await this.delete(digest);
      result.removedBlobs.push(digest);
    }
    const active = new Set(this.activeIngests().map((d) => digestHex(d)));
    for (const name of await readdir(join(this.root, 'ingest')).catch(() => [] as string[])) {
      if (active.has(name.slice(0, 64))) continue;
      const path = join(this.root, 'ingest', name);
      result.bytesFreed += (await stat(path).catch(() => null))?.size ?? 0;
      await rm(path, { force: true, recursive: true });
      result.removedIngests.push(name);
    }
    return result;
  }
}

function emptyIndex(): LayoutIndex {
  return { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Write to a temp file beside `path`, then rename: readers see the old or the new file, never half. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

function causeOf(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
