import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar } from '../snapshots/tar-reader.ts';
import { TarWriter } from './tar-writer.ts';
import type { TarWriteHeader } from './tar-writer.ts';

async function write(entries: [TarWriteHeader, (Buffer | string)?][]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const tar = new TarWriter((c) => void chunks.push(c));
  for (const [header, body] of entries) await tar.add(header, typeof body === 'string' ? Buffer.from(body) : body);
  await tar.end();
  return Buffer.concat(chunks);
}

describe('TarWriter', () => {
  const long = `${'d'.repeat(120)}/${'e'.repeat(120)}/${'f'.repeat(120)}`;
  const entries: [TarWriteHeader, (Buffer | string)?][] = [
    [{ name: 'dir', type: 'directory', mode: 0o755, mtime: 1700000000 }],
    [{ name: 'dir/file', type: 'file', mode: 0o4755, uid: 7, gid: 8, mtime: 1700000000, xattrs: { 'user.k': Buffer.from('v') } }, 'hello'],
    [{ name: long, type: 'file', mode: 0o644, mtime: 1 }, 'deep'],
    [{ name: 'link', type: 'symlink', linkname: `/${'t'.repeat(150)}`, mtime: 1 }],
    [{ name: 'hard', type: 'hardlink', linkname: 'dir/file', mtime: 1 }],
    [{ name: 'dir/.wh.gone', type: 'file', mode: 0o600, size: 0, mtime: 1 }],
  ];

  it('writes what the runtime tar reader reads back, pax records included', async () => {
    const archive = await write(entries);
    expect(archive.length % 512).toBe(0);
    const read = [];
    async function* one(): AsyncGenerator<Buffer> {
      yield archive;
    }
    for await (const entry of readTar(one())) {
      let body = '';
      for await (const chunk of entry.body) body += chunk.toString();
      read.push({ ...entry.header, body });
    }
    expect(read.map((e) => [e.name, e.type])).toEqual([
      ['dir/', 'directory'],
      ['dir/file', 'file'],
      [long, 'file'],
      ['link', 'symlink'],
      ['hard', 'hardlink'],
      ['dir/.wh.gone', 'file'],
    ]);
    expect(read[1]).toMatchObject({ mode: 0o4755, uid: 7, gid: 8, mtime: 1700000000, body: 'hello' });
    expect(read[1]?.xattrs['user.k']).toEqual(Buffer.from('v'));
    expect(read[2]?.body).toBe('deep');
    expect(read[3]?.linkname).toBe(`/${'t'.repeat(150)}`);
  });

  it('writes archives GNU tar extracts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tarw-'));
    try {
      writeFileSync(join(dir, 'a.tar'), await write(entries));
      execFileSync('tar', ['-C', dir, '-xf', join(dir, 'a.tar')]);
      expect(readFileSync(join(dir, 'dir', 'file'), 'utf8')).toBe('hello');
      expect(readFileSync(join(dir, long), 'utf8')).toBe('deep');
      expect(readlinkSync(join(dir, 'link'))).toBe(`/${'t'.repeat(150)}`);
      expect(statSync(join(dir, 'hard')).ino).toBe(statSync(join(dir, 'dir', 'file')).ino);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a body that does not match the size in its header', async () => {
    const tar = new TarWriter(() => {});
    await expect(tar.add({ name: 'x', type: 'file', size: 3 }, Buffer.from('four'))).rejects.toThrow(/more than the 3 bytes/);
    await expect(tar.add({ name: 'y', type: 'file', size: 5 }, Buffer.from('four'))).rejects.toThrow(/has 4 bytes, its header says 5/);
  });
});
