/**
 * Multiplexed byte streams over the agent websocket (logs, exec/attach, file transfer),
 * in binary frames beside the JSON messages:
 *
 *   DATA   [1][stream id u32][channel u8][bytes…]   channel: 0 stdin, 1 stdout, 2 stderr, 3 other
 *   CREDIT [2][stream id u32][bytes u32]            the receiver may take this many more bytes
 *   END    [3][stream id u32]                       the sender will send no more
 *   RESET  [4][stream id u32][reason utf-8]         abort, both directions
 *
 * Flow control is per stream and credit-based (like HTTP/2): a sender never has more than
 * the receiver's window in flight, so a noisy log fills only its own window. And a sender
 * waits while the socket holds more than a high-water mark, so JSON messages (requests,
 * heartbeats) are never queued behind more than that much stream data.
 */
export const FrameKind = { DATA: 1, CREDIT: 2, END: 3, RESET: 4 } as const;
export type Channel = 0 | 1 | 2 | 3;
export const STREAM_WINDOW = 256 * 1024;
export const MAX_DATA_FRAME = 64 * 1024;
export const SOCKET_HIGH_WATER = 1024 * 1024;
export const MAX_STREAMS = 512;

export interface StreamTransport {
  sendBinary(frame: Buffer): void;
  /** bytes queued in the socket, not yet sent (ws.bufferedAmount) */
  bufferedAmount(): number;
}

export interface Chunk {
  channel: Channel;
  data: Buffer;
}

export class StreamError extends Error {
  constructor(message: string, readonly streamId: number) {
    super(message);
  }
}

function header(kind: number, id: number, extra: number): Buffer {
  const b = Buffer.allocUnsafe(5 + extra);
  b[0] = kind;
  b.writeUInt32BE(id, 1);
  return b;
}

export class MuxStream implements AsyncIterable<Chunk> {
  private sendCredit = STREAM_WINDOW;
  private creditWaiters: (() => void)[] = [];
  private readonly queue: Chunk[] = [];
  private readWaiter: (() => void) | null = null;
  private unacked = 0;
  private ended = false;
  private sentEnd = false;
  private failure: StreamError | null = null;
  private closedResolve!: () => void;
  /** resolves once both directions are finished or the stream was reset */
  readonly closed = new Promise<void>((r) => (this.closedResolve = r));

  constructor(readonly id: number, private readonly mux: StreamMux) {}

  /** Sends bytes, waiting for credit and for the socket to drain as needed. */
  async write(channel: Channel, data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      if (this.failure) throw this.failure;
      if (this.sentEnd) throw new StreamError(`stream ${this.id} was ended: no more data may be sent`, this.id);
      if (this.sendCredit === 0) {
        await new Promise<void>((r) => this.creditWaiters.push(r));
        continue;
      }
      await this.mux.drained();
      const n = Math.min(data.length - offset, this.sendCredit, MAX_DATA_FRAME);
      const frame = header(FrameKind.DATA, this.id, 1 + n);
      frame[5] = channel;
      data.copy(frame, 6, offset, offset + n);
      this.sendCredit -= n;
      offset += n;
      this.mux.transport.sendBinary(frame);
    }
  }

  end(): void {
    if (this.sentEnd || this.failure) return;
    this.sentEnd = true;
    this.mux.transport.sendBinary(header(FrameKind.END, this.id, 0));
    this.maybeClose();
  }

  reset(reason: string): void {
    if (this.failure) return;
    const r = Buffer.from(reason.slice(0, 512), 'utf8');
    const frame = header(FrameKind.RESET, this.id, r.length);
    r.copy(frame, 5);
    this.mux.transport.sendBinary(frame);
    this.fail(new StreamError(`stream ${this.id} reset: ${reason}`, this.id));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Chunk> {
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        this.consumed(next.data.length);
        yield next;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((r) => (this.readWaiter = r));
    }
  }

  /** @internal frames from the peer */
  onData(channel: Channel, data: Buffer): void {
    if (this.ended) return this.mux.violation(`data after end on stream ${this.id}`);
    const inFlight = this.unacked + this.queue.reduce((a, c) => a + c.data.length, 0) + data.length;
    if (inFlight > STREAM_WINDOW) return this.reset('peer sent beyond its credit');
    this.queue.push({ channel, data });
    this.wake();
  }

  onCredit(bytes: number): void {
    this.sendCredit = Math.min(this.sendCredit + bytes, 2 ** 31);
    this.creditWaiters.splice(0).forEach((w) => w());
  }

  onEnd(): void {
    this.ended = true;
    this.wake();
    this.maybeClose();
  }

  fail(err: StreamError): void {
    if (this.failure) return;
    this.failure = err;
    this.wake();
    this.creditWaiters.splice(0).forEach((w) => w());
    this.mux.forget(this.id);
    this.closedResolve();
  }

  private consumed(n: number): void {
    this.unacked += n;
    // grant in batches: one CREDIT frame per half window read, not one per chunk
    if (this.unacked >= STREAM_WINDOW / 2 && !this.ended) {
      const frame = header(FrameKind.CREDIT, this.id, 4);
      frame.writeUInt32BE(this.unacked, 5);
      this.unacked = 0;
      this.mux.transport.sendBinary(frame);
    }
  }

  private wake(): void {
    const w = this.readWaiter;
    this.readWaiter = null;
    w?.();
  }

  private maybeClose(): void {
    if (this.ended && this.sentEnd) {
      this.mux.forget(this.id);
      this.closedResolve();
    }
  }
}

/** One per connection, on each side. The control plane allocates stream ids. */
const RECENTLY_CLOSED = 4096;

export class StreamMux {
  private readonly streams = new Map<number, MuxStream>();
  private readonly closed = new Set<number>();
  private nextId = 1;
  private drainWaiters: (() => void)[] = [];

  constructor(readonly transport: StreamTransport, private readonly onViolation: (what: string) => void = () => {}) {}

  /** Opens a stream with a fresh id (the side that asks for the stream does this). */
  open(): MuxStream {
    if (this.streams.size >= MAX_STREAMS) throw new Error(`too many open streams (${MAX_STREAMS}) on this connection`);
    while (this.streams.has(this.nextId)) this.nextId = (this.nextId % 0xffffffff) + 1;
    return this.accept(this.nextId++);
  }

  /** Takes the stream whose id the peer named in a request. */
  accept(id: number): MuxStream {
    if (this.streams.has(id)) throw new Error(`stream ${id} is open already`);
    const s = new MuxStream(id, this);
    this.streams.set(id, s);
    return s;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Routes one binary frame from the peer; malformed frames are violations, not crashes. */
  onFrame(frame: Buffer): void {
    if (frame.length < 5) return this.violation('binary frame shorter than its header');
    const kind = frame[0];
    const id = frame.readUInt32BE(1);
    const s = this.streams.get(id);
    if (!s) {
      // frames still in flight for a stream that just ended or was reset are expected; data
      // for a stream that never existed is the peer's fault
      if (kind === FrameKind.DATA && !this.closed.has(id)) this.violation(`data for unknown stream ${id}`);
      return;
    }
    switch (kind) {
      case FrameKind.DATA: {
        const channel = frame[5];
        if (channel === undefined || channel > 3) return this.violation(`bad channel on stream ${id}`);
        return s.onData(channel as Channel, frame.subarray(6));
      }
      case FrameKind.CREDIT:
        if (frame.length !== 9) return this.violation(`bad credit frame on stream ${id}`);
        return s.onCredit(frame.readUInt32BE(5));
      case FrameKind.END:
        return s.onEnd();
      case FrameKind.RESET:
        return s.fail(new StreamError(`stream ${id} reset by the peer: ${frame.subarray(5).toString('utf8')}`, id));
      default:
        return this.violation(`unknown frame kind ${kind}`);
    }
  }

  /** Call when the socket's buffer drains (or periodically): wakes writers waiting for it. */
  notifyDrain(): void {
    if (this.transport.bufferedAmount() <= SOCKET_HIGH_WATER) this.drainWaiters.splice(0).forEach((w) => w());
  }

  /** Fails every stream: the connection is gone. */
  closeAll(reason: string): void {
    for (const s of [...this.streams.values()]) s.fail(new StreamError(`stream ${s.id} lost: ${reason}`, s.id));
    this.drainWaiters.splice(0).forEach((w) => w());
  }

  /** @internal */
  async drained(): Promise<void> {
    while (this.transport.bufferedAmount() > SOCKET_HIGH_WATER) {
      await new Promise<void>((r) => {
        this.drainWaiters.push(r);
        // ws has no drain event: poll gently while the socket is full
        setTimeout(() => this.notifyDrain(), 5).unref?.();
      });
    }
  }

  /** @internal */
  forget(id: number): void {
    if (!this.streams.delete(id)) return;
    this.closed.add(id);
    // remember enough recent ids to cover what can be in flight; forget the oldest
    if (this.closed.size > RECENTLY_CLOSED) this.closed.delete(this.closed.values().next().value as number);
  }

  /** @internal */
  violation(what: string): void {
    this.onViolation(what);
  }
}
