// Decompression bombs and full disks while unpacking, on a real (small) tmpfs. Root only.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ContentStore } from '../content/store.ts';
import { tarHeader } from '../images/tar-writer.ts';
import { hostExec } from '../sys/exec.ts';
import { hostNodeOps } from './node-ops.ts';
import { Snapshotter } from './snapshotter.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

/** A gzip'd tar of one file of `size` zero bytes: a few KB that unpack to `size`. */
async function* zeroLayer(size: number): AsyncGenerator<Uint8Array> {
  const gz = createGzip({ level: 1 });
  const tar = Readable.from(
    (function* () {
      yield tarHeader({ name: 'zeros', type: 'file', mode: 0o644, size, mtime: 0 });
      const chunk = Buffer.alloc(MiB);
      for (let left = size; left > 0; left -= MiB) yield left >= MiB ? chunk : chunk.subarray(0, left);
      yield Buffer.alloc((512 - (size % 512)) % 512);
      yield Buffer.alloc(1024);
    })(),
  );
  tar.pipe(gz);
  for await (const c of gz) yield c as Buffer;
}

const req = (size: number) => ({
  chainId: `sha256:${'a'.repeat(64)}`,
  parent: null,
  diffId: `sha256:${'a'.repeat(64)}`,
  blob: `sha256:${'b'.repeat(64)}`,
  open: () => zeroLayer(size),
});

describe.skipIf(!isRoot)('unpacking within limits', () => { // skipped unless root: mounting a tmpfs needs root (./berth test runs as root)
  let dir: string;
  let small: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-limits-'));
    small = join(dir, 'small');
    await mkdir(small);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', small]);
  });

  afterAll(async () => {
    await run('umount', ['-l', small]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a decompression bomb past the per-layer limit, naming the layer, and leaves nothing', async () => {
    const layers = new Snapshotter(join(dir, 'layers'), hostNodeOps(hostExec()), { maxLayerBytes: 8 * MiB });
    await expect(layers.unpack(req(64 * MiB))).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringContaining(`layer sha256:${'b'.repeat(64)} unpacks to more than ${8 * MiB} bytes`),
    });
    expect(await readdir(join(dir, 'layers'))).toEqual([]);
  });

  it('stops before the disk is full when the free space drops under the reserve', async () => {
    const layers = new Snapshotter(join(small, 'layers'), hostNodeOps(hostExec()), { reserveBytes: 32 * MiB });
    await expect(layers.unpack(req(4 * MiB))).rejects.toMatchObject({ code: 'NO_SPACE', message: expect.stringMatching(/would fill the disk holding .*: \d+ bytes are left and 33554432 are kept free; free some space/) });
    expect(await readdir(join(small, 'layers'))).toEqual([]);
  });

  it('a disk that fills up while a blob downloads fails it with NO_SPACE and drops the partial download', async () => {
    const store = new ContentStore(join(small, 'content'));
    await store.init();
    const blob = Buffer.alloc(24 * MiB, 7);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    const source = async () => ({ offset: 0, body: (async function* () { for (let i = 0; i < blob.length; i += MiB) yield blob.subarray(i, i + MiB); })() });
    await expect(store.ingest({ digest, size: blob.length }, source)).rejects.toMatchObject({ code: 'NO_SPACE', message: expect.stringContaining('the disk holding the image store is full') });
    expect(await store.has(digest)).toBe(false);
    const { stdout } = await run('df', ['--output=used', '-B1', small]);
    expect(Number(stdout.split('\n')[1])).toBeLessThan(MiB);
    await rm(join(small, 'content'), { recursive: true, force: true });
  });

  it('a disk that fills up (ENOSPC) fails the layer with NO_SPACE and gives the space back', async () => {
    const layers = new Snapshotter(join(small, 'layers'), hostNodeOps(hostExec()), { reserveBytes: 0 });
    await expect(layers.unpack(req(40 * MiB))).rejects.toMatchObject({ code: 'NO_SPACE', message: expect.stringContaining('the disk is full') });
    expect(await readdir(join(small, 'layers'))).toEqual([]);
    const { stdout } = await run('df', ['--output=used', '-B1', small]);
    expect(Number(stdout.split('\n')[1])).toBeLessThan(MiB);
  });
});
