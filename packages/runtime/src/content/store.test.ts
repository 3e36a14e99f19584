import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.ts';
import { ContentStore } from './store.ts';
import type { BlobSource, IngestProgress } from './store.ts';

const data = Buffer.from('0123456789'.repeat(1000));
const desc = { digest: sha256Digest(data), size: data.length };

async function* chunks(buf: Buffer, size = 1000, failAfter?: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) {
    if (failAfter !== undefined && i >= failAfter) throw Object.assign(new Error('socket hang up'), { cause: { code: 'ECONNRESET' } });
    yield buf.subarray(i, i + size);
  }
}

/** A source serving `buf`, counting requests and honouring offsets when `ranges` is on. */
function source(buf: Buffer, opts: { ranges?: boolean; failAfter?: number } = {}): BlobSource & { calls: number[] } {
  const calls: number[] = [];
  const fn: BlobSource = async (offset) => {
    calls.push(offset);
    const start = opts.ranges ? offset : 0;
    return { body: chunks(buf.subarray(start), 1000, opts.failAfter), offset: start };
  };
  return Object.assign(fn, { calls });
}

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-content-'));
    store = new ContentStore(root);
    await store.init();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lays out an OCI image layout and stores verified blobs by digest', async () => {
    expect(JSON.parse(await readFile(join(root, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(await readFile(join(root, 'index.json'), 'utf8'))).toEqual({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    const events: IngestProgress[] = [];
    const result = await store.ingest(desc, source(data), { onProgress: (p) => events.push(p) });
    expect(result).toEqual({ received: data.length, resumedFrom: 0, status: 'written' });
    expect(await readFile(store.blobPath(desc.digest))).toEqual(data);
    expect(events.map((e) => e.status)).toEqual(['downloading', ...Array(10).fill('downloading'), 'verifying', 'complete']);
    expect(await store.ingest(desc, source(data))).toMatchObject({ status: 'already exists', received: 0 });
  });

  it('shares one download between concurrent ingests of a blob', async () => {
    const src = source(data);
    const [a, b] = await Promise.all([store.ingest(desc, src), store.ingest(desc, src)]);
    expect(src.calls).toEqual([0]);
    expect([a.status, b.status].sort()).toEqual(['shared', 'written']);
  });

  it('refuses a wrong digest or too many bytes, leaving neither blob nor partial file', async () => {
    const other = Buffer.from(data).fill(0x41, 0, 1);
    await expect(store.ingest(desc, source(other))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', digest: desc.digest });
    await expect(store.ingest(desc, source(Buffer.concat([data, Buffer.from('x')])))).rejects.toThrow(`blob ${desc.digest} is bigger than the ${data.length} bytes its descriptor says: refused`);
    expect(await store.has(desc.digest)).toBe(false);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('keeps the prefix of an interrupted download and resumes from it', async () => {
    await expect(store.ingest(desc, source(data, { ranges: true, failAfter: 4000 }))).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect((await readFile(store.ingestPath(desc.digest))).length).toBe(4000);
    expect(await store.has(desc.digest)).toBe(false);
    const resumed = source(data, { ranges: true });
    expect(await store.ingest(desc, resumed)).toMatchObject({ received: 6000, resumedFrom: 4000, status: 'written' });
    expect(resumed.calls).toEqual([4000]);
    expect(existsSync(store.ingestPath(desc.digest))).toBe(false);
  });

  it('retries an interrupted download within one ingest, and starts over if the source cannot resume', async () => {
    let attempt = 0;
    const flaky: BlobSource = async (offset) => ({ body: chunks(data, 1000, attempt++ === 0 ? 3000 : undefined), offset: 0 * offset });
    expect(await store.ingest(desc, flaky, { retries: 1 })).toMatchObject({ status: 'written', received: 3000 + data.length });
  });

  it('throws away a partial file longer than the blob', async () => {
    await writeFile(store.ingestPath(desc.digest), Buffer.concat([data, data]));
    expect(await store.ingest(desc, source(data, { ranges: true }))).toMatchObject({ resumedFrom: 0, status: 'written' });
  });

  it('collects blobs no root reaches and stale partial downloads', async () => {
    const child = Buffer.from('child');
    const orphan = Buffer.from('orphan');
    const parent = Buffer.from(JSON.stringify({ child: sha256Digest(child) }));
    for (const b of [child, orphan, parent]) await store.writeBuffer({ digest: sha256Digest(b), size: b.length }, b);
    await writeFile(join(root, 'ingest', `${'f'.repeat(64)}.partial`), 'stale');
    await store.updateIndex((m) => ({ manifests: [...m, { mediaType: 'x/parent', digest: sha256Digest(parent), size: parent.length }], result: undefined }));
    const result = await store.gc(async (d, bytes) => (d.mediaType === 'x/parent' ? [{ mediaType: 'x/child', digest: (JSON.parse((await bytes()).toString()) as { child: string }).child, size: 5 }] : []));
    expect(result.removedBlobs).toEqual([sha256Digest(orphan)]);
    expect(result.removedIngests).toEqual([`${'f'.repeat(64)}.partial`]);
    expect((await store.list()).sort()).toEqual([sha256Digest(child), sha256Digest(parent)].sort());
  });

  it('refuses digests that are not sha256', async () => {
    expect(() => store.blobPath('sha256:../../etc')).toThrow(/is not a sha256 digest/);
    await expect(store.ingest({ digest: 'md5:abc', size: 1 }, source(data))).rejects.toMatchObject({ code: 'INVALID_DIGEST' });
  });
});
