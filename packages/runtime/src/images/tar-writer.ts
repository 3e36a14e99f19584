// A small streaming tar writer (ustar, with pax records for what ustar cannot hold: long names
// and link targets, big sizes and ids, extended attributes). Used to write layers (commit) and
// image archives (save). Entries go to an async sink, one chunk at a time, so a layer of any
// size is written with bounded memory.

export type TarWriteType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo';

export interface TarWriteHeader {
  name: string;
  type: TarWriteType;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Bytes of the body (files only). */
  size?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  uname?: string;
  gname?: string;
  xattrs?: Record<string, Buffer>;
}

const BLOCK = 512;
const TYPE_FLAGS: Record<TarWriteType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

function paxRecord(key: string, value: Buffer): Buffer {
  // "<len> <key>=<value>\n" where len counts itself.
  const rest = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = rest.length + 1;
  while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), rest]);
}

function writeString(block: Buffer, value: string, offset: number, length: number): boolean {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) return false;
  bytes.copy(block, offset);
  return true;
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): boolean {
  const text = Math.floor(value).toString(8);
  if (value < 0 || text.length > length - 1) return false;
  block.write(text.padStart(length - 1, '0'), offset, 'latin1');
  block[offset + length - 1] = 0;
  return true;
}

/** Splits a long name into ustar prefix (≤155) and name (≤100) at a '/', if it can be. */
function splitUstarName(name: string): { prefix: string; name: string } | null {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { prefix, name: rest };
  }
  return null;
}

function headerBlock(h: TarWriteHeader, flag: string, fields: { name: string; prefix: string; linkname: string; size: number }): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, fields.name, 0, 100);
  writeOctal(block, (h.mode ?? (h.type === 'directory' ? 0o755 : 0o644)) & 0o7777, 100, 8);
  if (!writeOctal(block, h.uid ?? 0, 108, 8)) writeOctal(block, 0, 108, 8);
  if (!writeOctal(block, h.gid ?? 0, 116, 8)) writeOctal(block, 0, 116, 8);
  if (!writeOctal(block, fields.size, 124, 12)) writeOctal(block, 0, 124, 12);
  if (!writeOctal(block, Math.max(0, h.mtime ?? 0), 136, 12)) writeOctal(block, 0, 136, 12);
  block.fill(0x20, 148, 156);
  block.write(flag, 156, 'latin1');
  writeString(block, fields.linkname, 157, 100);
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  writeString(block, h.uname ?? '', 265, 32);
  writeString(block, h.gname ?? '', 297, 32);
  writeOctal(block, h.devmajor ?? 0, 329, 8);
  writeOctal(block, h.devminor ?? 0, 337, 8);
  writeString(block, fields.prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

/** The header block(s) of one entry: a pax header first when ustar cannot hold everything. */
export function tarHeader(h: TarWriteHeader): Buffer {
  const flag = TYPE_FLAGS[h.type];
  const name = h.type === 'directory' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  const size = h.type === 'file' ? (h.size ?? 0) : 0;
  const linkname = h.linkname ?? '';
  const pax: Buffer[] = [];
  const split = splitUstarName(name);
  if (!split || /[^\x20-\x7e]/.test(name)) pax.push(paxRecord('path', Buffer.from(name, 'utf8')));
  if (Buffer.byteLength(linkname) > 100 || /[^\x20-\x7e]/.test(linkname)) pax.push(paxRecord('linkpath', Buffer.from(linkname, 'utf8')));
  if (size > 0o77777777777) pax.push(paxRecord('size', Buffer.from(String(size))));
  if ((h.uid ?? 0) > 0o7777777) pax.push(paxRecord('uid', Buffer.from(String(h.uid))));
  if ((h.gid ?? 0) > 0o7777777) pax.push(paxRecord('gid', Buffer.from(String(h.gid))));
  if (h.mtime !== undefined && !Number.isInteger(h.mtime)) pax.push(paxRecord('mtime', Buffer.from(h.mtime.toFixed(9).replace(/0+$/, ''))));
  for (const [key, value] of Object.entries(h.xattrs ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) pax.push(paxRecord(`SCHILY.xattr.${key}`, value));

  const fields = split ? { ...split, linkname, size } : { prefix: '', name: name.slice(0, 99), linkname, size };
  if (Buffer.byteLength(linkname) > 100) fields.linkname = '';
  const main = headerBlock(h, flag, fields);
  if (pax.length === 0) return main;
  const body = Buffer.concat(pax);
  const paxName = `PaxHeaders.0/${(split?.name ?? name).slice(0, 80)}`;
  const paxHeader = headerBlock({ name: paxName, type: 'file', mode: 0o644, mtime: h.mtime }, 'x', { name: paxName.slice(0, 99), prefix: '', linkname: '', size: body.length });
  return Buffer.concat([paxHeader, body, Buffer.alloc(padding(body.length)), main]);
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Two zero blocks: the end of an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

/** Writes entries to `sink` (which must apply backpressure by returning a promise). */
export class TarWriter {
  constructor(private readonly sink: (chunk: Buffer) => Promise<void> | void) {}

  /** One entry; a file's body must be exactly `header.size` bytes. */
  async add(header: TarWriteHeader, body?: Buffer | AsyncIterable<Uint8Array>): Promise<void> {
    if (header.type === 'file' && Buffer.isBuffer(body) && header.size === undefined) header = { ...header, size: body.length };
    const size = header.type === 'file' ? (header.size ?? 0) : 0;
    await this.sink(tarHeader(header));
    let written = 0;
    if (header.type === 'file' && body !== undefined) {
      const chunks: AsyncIterable<Uint8Array> | Buffer[] = Buffer.isBuffer(body) ? [body] : body;
      for await (const chunk of chunks) {
        written += chunk.length;
        if (written > size) throw new Error(`tar entry ${JSON.stringify(header.name)} has more than the ${size} bytes its header says`);
        await this.sink(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
    }
    if (written !== size) throw new Error(`tar entry ${JSON.stringify(header.name)} has ${written} bytes, its header says ${size}`);
    const pad = padding(size);
    if (pad > 0) await this.sink(Buffer.alloc(pad));
  }

  async end(): Promise<void> {
    await this.sink(TAR_END);
  }
}
