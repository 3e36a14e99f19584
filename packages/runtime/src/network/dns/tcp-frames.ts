// DNS over TCP prefixes each message with its length in two bytes (RFC 1035 §4.2.2, RFC 7766).

/** Prefixes a message with its 16-bit length. */
export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length, 0);
  return Buffer.concat([prefix, message]);
}

/** Splits a TCP byte stream into messages; it holds at most one partial message (< 64 KiB). */
export class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);

  /** Adds received bytes and returns the messages they complete. */
  push(chunk: Buffer): Buffer[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.#buffered.length >= 2) {
      const length = this.#buffered.readUInt16BE(0);
      if (this.#buffered.length < 2 + length) break;
      messages.push(Buffer.from(this.#buffered.subarray(2, 2 + length)));
      this.#buffered = this.#buffered.subarray(2 + length);
    }
    return messages;
  }
}
