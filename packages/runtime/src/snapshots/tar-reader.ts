// A streaming tar reader: ustar, pax (x and g records, SCHILY.xattr), GNU long names and links
// (L, K), base-256 numbers. Bodies stream; nothing is held in memory beyond one chunk. After the
// end-of-archive blocks the rest of the input is read and dropped, so a hash of the input
// (a layer's diff ID) covers every byte.

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarHeader {
  /** The entry's path as written in the archive (pax `path` and GNU long names applied). */
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch; pax gives fractions. */
  mtime: number;
  /** Link target of a symlink or hardlink. */
  linkname: string;
  devmajor: number;
  devminor: number;
  uname: string;
  gname: string;
  /** Extended attributes from pax SCHILY.xattr.* records. */
  xattrs: Record<string, Buffer>;
}

export interface TarEntry {
  header: TarHeader;
  /** The entry's bytes; what is not read is skipped when the next entry is asked for. */
  body: AsyncIterable<Buffer>;
}

export class TarError extends Error {
  override readonly name = 'TarError';
  readonly code = 'INVALID_ARCHIVE';
}

const BLOCK = 512;

/** Pulls exact byte counts out of an async chunk stream. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private readonly it: AsyncIterator<Uint8Array>;
  /** Bytes handed out so far: where in the archive an error happened. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Ensures `n` bytes are buffered; false if the input ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (chunk.length > 0) {
        this.chunks.push(chunk);
        this.length += chunk.length;
      }
    }
    return this.length >= n;
  }

  /** Up to `max` bytes that are available (reads more input if none are buffered); empty at the end. */
  private async take(max: number): Promise<Buffer> {
    if (this.length === 0 && !(await this.fill(1))) return Buffer.alloc(0);
    const first = this.chunks[0] as Buffer;
    const out = first.length <= max ? first : first.subarray(0, max);
    if (out.length === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(max);
    this.length -= out.length;
    this.position += out.length;
    return out;
  }

  /** Exactly `n` bytes, or null if the input ends before any of them; partial is an error. */
  async read(n: number, what: string): Promise<Buffer | null> {
    if (!(await this.fill(n))) {
      if (this.length === 0) return null;
      throw new TarError(`archive ends in the middle of ${what} (byte ${this.position + this.length})`);
    }
    const parts: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const part = await this.take(need);
      parts.push(part);
      need -= part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  async *stream(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const part = await this.take(left);
      if (part.length === 0) throw new TarError(`archive ends in the middle of ${what} (${left} of ${n} bytes missing)`);
      left -= part.length;
      yield part;
    }
  }

  async skip(n: number, what: string): Promise<void> {
    for await (const _ of this.stream(n, what)) {
      // dropped
    }
  }

  async drain(): Promise<void> {
    while ((await this.take(64 * 1024)).length > 0) {
      // dropped: trailing zeros and padding
    }
  }
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** An octal field, or a base-256 one (high bit set) as GNU writes big numbers. */
export function parseNumber(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  const first = field[0] ?? 0;
  if (first & 0x80) {
    // Two's complement big-endian; negative values are not meaningful for tar fields here.
    if (first & 0x40) throw new TarError(`negative ${what} in a tar header`);
    let value = BigInt(first & 0x3f);
    for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TarError(`${what} ${value} in a tar header is too big`);
    return Number(value);
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`${what} field ${JSON.stringify(text)} in a tar header is not octal`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumber(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** pax records: "<len> <key>=<value>\n", len counting the whole record. Values stay bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const length = space === -1 ? NaN : Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= 0 || pos + length > data.length || data[pos + length - 1] !== 0x0a) {
      throw new TarError(`malformed pax record at offset ${pos}`);
    }
    const record = data.subarray(space + 1, pos + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new TarError(`pax record without '=' at offset ${pos}`);
    records.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    pos += length;
  }
  return records;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

function applyPax(header: TarHeader, pax: Map<string, Buffer>): void {
  for (const [key, raw] of pax) {
    const value = raw.toString('utf8');
    switch (key) {
      case 'path':
        header.name = value;
        break;
      case 'linkpath':
        header.linkname = value;
        break;
      case 'size':
      case 'uid':
      case 'gid': {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 0) throw new TarError(`pax ${key}=${JSON.stringify(value)} is not a non-negative integer`);
        header[key] = n;
        break;
      }
      case 'mtime': {
        const n = Number(value);
        if (!Number.isFinite(n)) throw new TarError(`pax mtime=${JSON.stringify(value)} is not a number`);
        header.mtime = n;
        break;
      }
      case 'uname':
      case 'gname':
        header[key] = value;
        break;
      default:
        if (key.startsWith('SCHILY.xattr.')) header.xattrs[key.slice('SCHILY.xattr.'.length)] = raw;
        else if (key.startsWith('GNU.sparse.')) throw new TarError(`GNU sparse files are not supported (entry ${JSON.stringify(header.name)})`);
    }
  }
}

/** The entries of a tar stream, in order. Consume or abandon each body before the next. */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let globalPax = new Map<string, Buffer>();
  let pax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;

  for (;;) {
    const at = reader.position;
    const block = await reader.read(BLOCK, 'a tar header');
    if (block === null) return; // no end-of-archive blocks: tolerated, as GNU tar and Go do
    if (block.every((b) => b === 0)) {
      await reader.drain();
      return;
    }
    if (!checksumOk(block)) throw new TarError(`tar header at byte ${at} has a bad checksum: not a tar archive, or a corrupt one`);

    const flag = String.fromCharCode(block[156] as number);
    const size = parseNumber(block, 124, 12, 'size');
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    // Metadata entries: their body describes the next real entry.
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      const data = (await reader.read(padded, 'a tar metadata entry'))?.subarray(0, size);
      if (!data) throw new TarError(`archive ends after a ${flag} header at byte ${at}`);
      if (flag === 'x') pax = new Map([...pax, ...parsePax(data)]);
      else if (flag === 'g') globalPax = new Map([...globalPax, ...parsePax(data)]);
      else {
        const end = data.indexOf(0);
        const text = data.subarray(0, end === -1 ? data.length : end).toString('utf8');
        if (flag === 'L') longName = text;
        else longLink = text;
      }
      continue;
    }

    const magic = block.subarray(257, 263).toString('latin1');
    let name = cString(block, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    let type = TYPES[flag];
    if (flag === 'V') {
      // GNU volume label: not a file.
      await reader.skip(padded, 'a volume label');
      pax = new Map();
      longName = longLink = undefined;
      continue;
    }
    if (type === undefined) throw new TarError(`tar entry ${JSON.stringify(longName ?? name)} has type ${JSON.stringify(flag)}, which layers cannot hold`);
    if (flag === '\0' && name.endsWith('/')) type = 'directory';

    const header: TarHeader = {
      name,
      type,
      mode: parseNumber(block, 100, 8, 'mode') & 0o7777,
      uid: parseNumber(block, 108, 8, 'uid'),
      gid: parseNumber(block, 116, 8, 'gid'),
      size,
      mtime: parseNumber(block, 136, 12, 'mtime'),
      linkname: cString(block, 157, 100),
      devmajor: magic.startsWith('ustar') ? parseNumber(block, 329, 8, 'devmajor') : 0,
      devminor: magic.startsWith('ustar') ? parseNumber(block, 337, 8, 'devminor') : 0,
      uname: cString(block, 265, 32),
      gname: cString(block, 297, 32),
      xattrs: {},
    };
    if (longName !== undefined) header.name = longName;
    if (longLink !== undefined) header.linkname = longLink;
    applyPax(header, globalPax);
    applyPax(header, pax);
    pax = new Map();
    longName = longLink = undefined;

    // Only regular files carry data; a size on anything else is skipped (hardlinks may say one).
    const dataSize = header.type === 'file' ? header.size : 0;
    const skipSize = header.type === 'file' ? Math.ceil(header.size / BLOCK) * BLOCK : padded;
    const what = `the body of ${JSON.stringify(header.name)}`;
    let consumed = 0;
    const body = (async function* () {
      for await (const chunk of reader.stream(dataSize, what)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    yield { header, body };
    // Whatever the consumer left unread, plus the padding to the block boundary.
    await reader.skip(skipSize - consumed, what);
  }
}
