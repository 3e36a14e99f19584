import { describe, expect, it } from 'vitest';
import { FrameKind, MAX_DATA_FRAME, SOCKET_HIGH_WATER, STREAM_WINDOW, StreamMux, type Chunk, type StreamTransport } from './streams.ts';

/**
 * Two muxes joined by a simulated socket: frames queue in order (with JSON messages
 * between them) and are delivered when `pump` is called, like bytes leaving a socket.
 */
function link() {
  const wire: { to: 'a' | 'b'; frame: Buffer | string }[] = [];
  const violations: string[] = [];
  const buffered = (to: 'a' | 'b') => wire.filter((w) => w.to === to).reduce((n, w) => n + (typeof w.frame === 'string' ? w.frame.length : w.frame.length), 0);
  const transport = (to: 'a' | 'b'): StreamTransport => ({ sendBinary: (frame) => void wire.push({ to, frame }), bufferedAmount: () => buffered(to) });
  const a = new StreamMux(transport('b'), (v) => violations.push(`a: ${v}`));
  const b = new StreamMux(transport('a'), (v) => violations.push(`b: ${v}`));
  const received: string[] = [];
  /** Delivers up to `bytes` from the wire; JSON messages are recorded in arrival order. */
  const pump = (bytes = Infinity) => {
    let sent = 0;
    while (wire.length && sent < bytes) {
      const w = wire.shift()!;
      if (typeof w.frame === 'string') {
        received.push(w.frame);
        sent += w.frame.length;
        continue;
      }
      sent += w.frame.length;
      (w.to === 'a' ? a : b).onFrame(w.frame);
    }
    a.notifyDrain();
    b.notifyDrain();
  };
  const sendJson = (to: 'a' | 'b', msg: string) => wire.push({ to, frame: msg });
  return { a, b, wire, pump, sendJson, received, violations };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

async function collect(iter: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const c of iter) out.push(c);
  return out;
}

describe('multiplexed streams', () => {
  it('carries bytes in order on their channels, and ends cleanly in both directions', async () => {
    const { a, b, pump } = link();
    const sa = a.open();
    const sb = b.accept(sa.id);
    const got = collect(sb);
    await sa.write(1, Buffer.from('out '));
    await sa.write(2, Buffer.from('err'));
    sa.end();
    sb.end();
    pump();
    const chunks = await got;
    expect(chunks.map((c) => [c.channel, c.data.toString()])).toEqual([[1, 'out '], [2, 'err']]);
    await Promise.all([sa.closed, sb.closed]);
    expect(a.size + b.size).toBe(0);
  });

  it('never lets a sender run more than one window ahead of a reader that does not read', async () => {
    const { a, b, wire, pump } = link();
    const sa = a.open();
    const sb = b.accept(sa.id);
    const big = Buffer.alloc(4 * STREAM_WINDOW, 7);
    let done = false;
    const writing = sa.write(1, big).then(() => (done = true));
    for (let i = 0; i < 20; i++) {
      pump();
      await tick();
    }
    // nothing is read at b: exactly one window crossed the wire, and the writer waits
    expect(done).toBe(false);
    expect(wire).toHaveLength(0);
    const it = sb[Symbol.asyncIterator]();
    let read = 0;
    while (read < big.length) {
      const n = await it.next();
      read += n.value!.data.length;
      pump();
      await tick();
      pump();
    }
    await writing;
    expect(read).toBe(big.length);
  });

  it('keeps JSON messages from queueing behind more than the high-water mark of a noisy stream', async () => {
    const { a, b, wire, pump, sendJson, received } = link();
    const noisy = a.open();
    const sink = b.accept(noisy.id);
    const sinking = collect(sink).catch((e: Error) => e);
    let stop = false;
    const flood = (async () => {
      while (!stop) await noisy.write(1, Buffer.alloc(MAX_DATA_FRAME, 1));
    })();
    await tick();
    // the socket is full of log data; now a heartbeat must go out
    const before = wire.filter((w) => w.to === 'b').reduce((n, w) => n + (w.frame as Buffer).length, 0);
    expect(before).toBeLessThanOrEqual(SOCKET_HIGH_WATER + MAX_DATA_FRAME + 16);
    sendJson('b', 'heartbeat');
    let bytesBefore = 0;
    while (!received.includes('heartbeat')) {
      const w = wire[0];
      bytesBefore += w && typeof w.frame !== 'string' ? w.frame.length : 0;
      pump(MAX_DATA_FRAME);
      await tick();
    }
    expect(bytesBefore).toBeLessThanOrEqual(SOCKET_HIGH_WATER + 2 * MAX_DATA_FRAME);
    stop = true;
    noisy.reset('test over');
    pump();
    await flood.catch(() => {});
    expect(String(await sinking)).toMatch(/reset by the peer: test over/);
  });

  it('resets a stream whose peer sends beyond its credit, and reports malformed frames without throwing', async () => {
    const { a, b, pump, violations } = link();
    const sa = a.open();
    const sb = b.accept(sa.id);
    const over = Buffer.alloc(6 + STREAM_WINDOW + 1);
    over[0] = FrameKind.DATA;
    over.writeUInt32BE(sa.id, 1);
    over[5] = 1;
    b.onFrame(over);
    await expect(collect(sb)).rejects.toThrow(/beyond its credit/);
    pump();
    await expect(sa.write(1, Buffer.from('x'))).rejects.toThrow(/reset by the peer/);
    b.onFrame(Buffer.from([1, 2]));
    b.onFrame(Buffer.from([9, 0, 0, 0, 1]));
    const unknown = Buffer.from([FrameKind.DATA, 0, 0, 0, 99, 1, 65]);
    b.onFrame(unknown);
    expect(violations).toEqual(['b: binary frame shorter than its header', 'b: data for unknown stream 99']);
  });

  it('drops data still in flight for a stream just reset without calling it a violation; data for a stream never opened is one', async () => {
    const { a, b, pump, violations } = link();
    for (let i = 0; i < 10; i++) {
      const sa = a.open();
      const sb = b.accept(sa.id);
      void sb.write(1, Buffer.alloc(1000, 1)).catch(() => undefined);
      void sb.write(1, Buffer.alloc(1000, 2)).catch(() => undefined);
      sa.reset('the client went away'); // the reader leaves while the writer's data is on the wire
      await tick();
      pump();
      await tick();
      pump();
    }
    expect(violations).toEqual([]);
    const frame = Buffer.alloc(7);
    frame[0] = FrameKind.DATA;
    frame.writeUInt32BE(999_999, 1);
    frame[5] = 1;
    a.onFrame(frame);
    expect(violations).toEqual(['a: data for unknown stream 999999']);
  });

  it('fails every open stream and waiting writer when the connection is lost', async () => {
    const { a, b } = link();
    const sa = a.open();
    b.accept(sa.id);
    const reading = collect(sa);
    const writing = sa.write(1, Buffer.alloc(2 * STREAM_WINDOW));
    a.closeAll('connection closed');
    await expect(reading).rejects.toThrow(/lost: connection closed/);
    await expect(writing).rejects.toThrow(/lost: connection closed/);
    expect(a.size).toBe(0);
  });
});
