import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLayerTar } from '@berth/testing/images';
import { parsePax, readTar, TarError } from './tar-reader.ts';
import type { TarHeader } from './tar-reader.ts';

/** One 512-byte ustar header, written by hand so tests control every field. */
function header(fields: { name: string; type?: string; size?: number; linkname?: string; prefix?: string; uid?: number; base256Size?: boolean }): Buffer {
  const block = Buffer.alloc(512);
  const octal = (value: number, start: number, length: number) => block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, start, 'latin1');
  block.write(fields.name, 0, 100, 'utf8');
  octal(0o644, 100, 8);
  octal(fields.uid ?? 0, 108, 8);
  octal(0, 116, 8);
  if (fields.base256Size) {
    block[124] = 0x80;
    block.writeUIntBE(fields.size ?? 0, 136 - 6, 6);
  } else octal(fields.size ?? 0, 124, 12);
  octal(1_700_000_000, 136, 12);
  block.write(fields.type ?? '0', 156, 'latin1');
  block.write(fields.linkname ?? '', 157, 100, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  if (fields.prefix) block.write(fields.prefix, 345, 155, 'utf8');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function pad(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return Buffer.concat([Buffer.from(String(length)), body]);
}

/** Feeds the archive in chunks of `size` bytes, to cross every boundary. */
async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(data: Buffer, chunk = 4096): Promise<{ header: TarHeader; body: string }[]> {
  const out: { header: TarHeader; body: string }[] = [];
  for await (const entry of readTar(chunked(data, chunk))) {
    const parts: Buffer[] = [];
    for await (const c of entry.body) parts.push(c);
    out.push({ header: entry.header, body: Buffer.concat(parts).toString() });
  }
  return out;
}

const END = Buffer.alloc(1024);

describe('readTar', () => {
  it('reads what tar-stream writes, whatever the chunking', async () => {
    const tar = await buildLayerTar([
      { type: 'dir', path: 'etc/', mode: 0o755 },
      { path: 'etc/passwd', content: 'root:x:0:0\n', uid: 1, gid: 2, mode: 0o4755 },
      { type: 'symlink', path: 'sh', target: '/bin/busybox' },
      { type: 'hardlink', path: 'etc/pw', target: 'etc/passwd' },
      { type: 'character-device', path: 'null', major: 1, minor: 3 },
      { type: 'fifo', path: 'p' },
    ]);
    for (const size of [1, 7, 512, 100_000]) {
      const entries = await readAll(tar, size);
      expect(entries.map((e) => [e.header.name, e.header.type])).toEqual([
        ['etc/', 'directory'],
        ['etc/passwd', 'file'],
        ['sh', 'symlink'],
        ['etc/pw', 'hardlink'],
        ['null', 'character-device'],
        ['p', 'fifo'],
      ]);
      expect(entries[1]).toMatchObject({ body: 'root:x:0:0\n', header: { uid: 1, gid: 2, mode: 0o4755, size: 11 } });
      expect(entries[2]?.header.linkname).toBe('/bin/busybox');
      expect(entries[4]?.header).toMatchObject({ devmajor: 1, devminor: 3 });
    }
  });

  it('skips bodies the consumer does not read', async () => {
    const tar = await buildLayerTar([
      { path: 'a', content: 'x'.repeat(3000) },
      { path: 'b', content: 'y' },
    ]);
    const names: string[] = [];
    for await (const entry of readTar(chunked(tar, 333))) names.push(entry.header.name);
    expect(names).toEqual(['a', 'b']);
  });

  it('joins the ustar prefix, applies pax path/linkpath/size/mtime/xattrs and GNU long names', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const pax = Buffer.concat([paxRecord('path', long), paxRecord('mtime', '1700000000.5'), paxRecord('SCHILY.xattr.security.capability', Buffer.from([1, 0, 0xff]))]);
    const gnuName = Buffer.from(`${'g'.repeat(150)}\0`);
    const archive = Buffer.concat([
      header({ name: 'file', prefix: 'some/prefix', size: 2 }),
      pad(Buffer.from('hi')),
      header({ name: 'PaxHeaders/x', type: 'x', size: pax.length }),
      pad(pax),
      header({ name: 'short', size: 1 }),
      pad(Buffer.from('z')),
      header({ name: '././@LongLink', type: 'L', size: gnuName.length }),
      pad(gnuName),
      header({ name: '././@LongLink', type: 'K', size: 201 }),
      pad(Buffer.from(`${'t'.repeat(200)}\0`)),
      header({ name: 'truncated-name', type: '2' }),
      END,
    ]);
    const entries = await readAll(archive, 100);
    expect(entries.map((e) => e.header.name)).toEqual(['some/prefix/file', long, 'g'.repeat(150)]);
    expect(entries[1]?.header.mtime).toBe(1700000000.5);
    expect(entries[1]?.header.xattrs['security.capability']).toEqual(Buffer.from([1, 0, 0xff]));
    expect(entries[2]?.header).toMatchObject({ type: 'symlink', linkname: 't'.repeat(200) });
  });

  it('reads GNU tar and pax archives made by GNU tar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tar-'));
    try {
      const deep = join(dir, 'src', 'a'.repeat(90), 'b'.repeat(50));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, 'c'.repeat(90)), 'deep\n');
      for (const format of ['gnu', 'pax', 'ustar']) {
        const tar = execFileSync('tar', [`--format=${format}`, '-C', join(dir, 'src'), '-cf', '-', '.']);
        const entries = await readAll(tar, 1000);
        const file = entries.find((e) => e.header.type === 'file');
        expect(file?.header.name, format).toBe(`./${'a'.repeat(90)}/${'b'.repeat(50)}/${'c'.repeat(90)}`);
        expect(file?.body).toBe('deep\n');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads base-256 sizes', async () => {
    const archive = Buffer.concat([header({ name: 'big', size: 3, base256Size: true }), pad(Buffer.from('abc')), END]);
    expect(await readAll(archive)).toEqual([expect.objectContaining({ body: 'abc', header: expect.objectContaining({ size: 3 }) })]);
  });

  it('refuses bad checksums, unsupported types and archives cut short, saying where', async () => {
    const bad = header({ name: 'x', size: 0 });
    bad[0] = 0x79;
    await expect(readAll(Buffer.concat([bad, END]))).rejects.toThrow(/tar header at byte 0 has a bad checksum/);
    await expect(readAll(Buffer.concat([header({ name: 'sparse', type: 'S' }), END]))).rejects.toThrow(/tar entry "sparse" has type "S"/);
    await expect(readAll(Buffer.concat([header({ name: 'cut', size: 2000 }), Buffer.alloc(600)]))).rejects.toThrow(TarError);
    await expect(readAll(Buffer.concat([header({ name: 'cut', size: 2000 }), Buffer.alloc(600)]))).rejects.toThrow(/archive ends in the middle of the body of "cut"/);
    await expect(readAll(Buffer.from('not a tar at all'))).rejects.toThrow(/ends in the middle of a tar header/);
  });

  it('parses pax records and refuses malformed ones', () => {
    expect(parsePax(Buffer.concat([paxRecord('path', 'a=b'), paxRecord('uid', '7')]))).toEqual(
      new Map([
        ['path', Buffer.from('a=b')],
        ['uid', Buffer.from('7')],
      ]),
    );
    expect(() => parsePax(Buffer.from('99 path=x\n'))).toThrow(/malformed pax record/);
  });
});
