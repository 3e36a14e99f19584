// Stream plumbing shared by save, load and commit: a backpressured sink into a Writable, and
// hashing/counting of a byte stream as it passes.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** A sink that waits for 'drain' when the stream's buffer is full, and fails if it errored. */
export function writableSink(stream: Writable): (chunk: Buffer) => Promise<void> {
  let failure: Error | null = null;
  stream.on('error', (err) => {
    failure = err;
  });
  return async (chunk) => {
    if (failure) throw failure;
    if (stream.destroyed) throw new Error('the output stream was closed before the archive was written');
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
}

/** Ends a Writable and waits until everything is flushed ('finish' or 'close'). */
export async function endWritable(stream: Writable): Promise<void> {
  if (stream.writableFinished) return;
  const done = once(stream, 'finish');
  stream.end();
  await done;
}

/** sha256 and byte count of what passes through `source`. */
export async function* hashing(source: AsyncIterable<Uint8Array>, into: { hash: ReturnType<typeof createHash>; size: number }): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    into.hash.update(chunk);
    into.size += chunk.length;
    yield chunk;
  }
}

/** Digest and length of a whole stream. */
export async function digestOf(source: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
