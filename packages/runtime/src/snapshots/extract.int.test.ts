// extractEntries on the real filesystem, for archives that name a path more than once: the last
// entry wins, as with Docker, whether the directory was empty at the start (where the extractor
// skips looking before it makes a path it has not made) or not.
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildLayerTar, type LayerEntry } from '@berth/testing/images';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractEntries } from './extract.ts';
import type { NodeOps } from './node-ops.ts';
import { readTar } from './tar-reader.ts';

const noNodes: NodeOps = {
  mknod: () => Promise.reject(new Error('no device nodes in this test')),
  mkfifo: () => Promise.reject(new Error('no fifos in this test')),
  setXattr: () => Promise.reject(new Error('no xattrs in this test')),
};

const REPEATED: LayerEntry[] = [
  { path: 'a', content: 'first' },
  { path: 'a', type: 'symlink', target: '/etc/passwd' },
  { path: 'a', type: 'dir' },
  { path: 'a/inner', content: 'inside' },
  { path: 'b', type: 'dir' },
  { path: 'b/gone', content: 'replaced with its directory' },
  { path: 'b', content: 'now a file' },
  { path: 'b2', type: 'symlink', target: 'b' },
  { path: 'c', content: 'one' },
  { path: 'c', content: 'two' },
];

describe('extractEntries with repeated paths', () => {
  let dest = '';
  beforeEach(async () => {
    dest = await mkdtemp(join(tmpdir(), 'berth-extract-'));
  });
  afterEach(async () => {
    await rm(dest, { recursive: true, force: true });
  });

  const extract = async (entries: LayerEntry[]) => extractEntries(readTar(Readable.from([await buildLayerTar(entries)])), dest, noNodes);

  it.each([
    ['an empty directory', false],
    ['a directory that already holds files', true],
  ])('into %s: the last entry for each path is what is left', async (_what, prefilled) => {
    if (prefilled) await writeFile(join(dest, 'c'), 'was there before');
    const result = await extract(REPEATED);
    expect(result.entries).toBe(REPEATED.length);
    expect((await lstat(join(dest, 'a'))).isDirectory()).toBe(true);
    expect(await readFile(join(dest, 'a/inner'), 'utf8')).toBe('inside');
    expect((await lstat(join(dest, 'b'))).isFile()).toBe(true);
    expect(await readFile(join(dest, 'b'), 'utf8')).toBe('now a file');
    expect(await readlink(join(dest, 'b2'))).toBe('b');
    expect(await readFile(join(dest, 'c'), 'utf8')).toBe('two');
  });

  it('refuses a file written through a symlink that replaced a directory it made', async () => {
    await expect(extract([
      { path: 'd', type: 'dir' },
      { path: 'd', type: 'symlink', target: '/tmp' },
      { path: 'd/escape', content: 'evil' },
    ])).rejects.toThrow(/parent directory "d" that is a symlink/);
  });
});
