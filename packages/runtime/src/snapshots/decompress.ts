// Layer decompression, streaming: gzip (zlib), zstd (fzstd, pure JS) or none. The format is
// sniffed from the first bytes, as containerd does, so a mislabelled layer still unpacks; the
// media type only decides whether berth accepts the layer at all.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

export type Compression = 'gzip' | 'zstd' | 'none';

export function detectCompression(head: Uint8Array): Compression {
  const starts = (magic: number[]): boolean => magic.every((b, i) => head[i] === b);
  if (starts(GZIP_MAGIC)) return 'gzip';
  if (starts(ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** Yields the first chunk(s) back after peeking at them. */
async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < n) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    first.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(first.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, stream: rest() };
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  // 128 KiB out at a time (zlib's default is 16 KiB): fewer chunks through the tar reader and fewer writes
  const gz = createGunzip({ chunkSize: 128 * 1024 });
  input.on('error', (err) => gz.destroy(err));
  input.pipe(gz);
  try {
    for await (const chunk of gz) yield chunk as Buffer;
  } finally {
    input.destroy();
    gz.destroy();
  }
}

async function* unzstd(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const decoder = new Decompress((chunk) => {
    out.push(chunk);
  });
  for await (const chunk of source) {
    decoder.push(chunk);
    while (out.length > 0) yield out.shift() as Uint8Array;
  }
  decoder.push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift() as Uint8Array;
}

/** The uncompressed tar bytes of a layer blob. */
export async function decompress(source: AsyncIterable<Uint8Array>): Promise<{ compression: Compression; stream: AsyncIterable<Uint8Array> }> {
  const { head, stream } = await peek(source, ZSTD_MAGIC.length);
  const compression = detectCompression(head);
  if (compression === 'gzip') return { compression, stream: gunzip(stream) };
  if (compression === 'zstd') return { compression, stream: unzstd(stream) };
  return { compression, stream };
}
