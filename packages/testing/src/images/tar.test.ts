import { describe, expect, it } from 'vitest';
import { layerFromTar } from './layer.ts';
import { readTar } from './read-tar.ts';
import { buildLayerTar, normalizeEntries, opaqueWhiteout, whiteout } from './tar.ts';
import type { LayerEntry } from './tar.ts';

describe('buildLayerTar', () => {
  it('writes hostile entries verbatim and in order', async () => {
    const hostile: LayerEntry[] = [
      { path: '../escape', content: 'x' },
      { path: '/etc/absolute', content: 'y' },
      { path: 'link-out', type: 'symlink', target: '../../../../etc/shadow' },
      { path: 'abs-link', type: 'symlink', target: '/etc/passwd' },
      { path: 'hard', type: 'hardlink', target: '/etc/passwd' },
      { path: 'dev/evil', type: 'character-device', major: 1, minor: 3 },
      { path: 'dev/disk', type: 'block-device', major: 8, minor: 0 },
      { path: 'pipe', type: 'fifo' },
      { path: 'suid', content: '#!/bin/sh\n', mode: 0o4755 },
      whiteout('bin/sh'),
      opaqueWhiteout('etc'),
      { path: `${'deep/'.repeat(40)}file`, content: 'long names go through pax' },
    ];
    const entries = await readTar(await buildLayerTar(hostile));
    expect(entries.map((e) => [e.header.name, e.header.type, e.header.linkname ?? null])).toEqual([
      ['../escape', 'file', null],
      ['/etc/absolute', 'file', null],
      ['link-out', 'symlink', '../../../../etc/shadow'],
      ['abs-link', 'symlink', '/etc/passwd'],
      ['hard', 'link', '/etc/passwd'],
      ['dev/evil', 'character-device', null],
      ['dev/disk', 'block-device', null],
      ['pipe', 'fifo', null],
      ['suid', 'file', null],
      ['bin/.wh.sh', 'file', null],
      ['etc/.wh..wh..opq', 'file', null],
      [`${'deep/'.repeat(40)}file`, 'file', null],
    ]);
    expect(entries[5]?.header).toMatchObject({ devmajor: 1, devminor: 3 });
    expect(entries[8]?.header.mode).toBe(0o4755);
  });

  it('is deterministic, and layerFromTar digests both forms', async () => {
    const entries: LayerEntry[] = [{ path: 'a', content: 'a' }];
    const [a, b] = await Promise.all([buildLayerTar(entries), buildLayerTar(entries)]);
    expect(a.equals(b)).toBe(true);
    const layer = layerFromTar(a);
    expect(layer.blob.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(layer.diffId).not.toBe(layer.blob.digest);
    expect(layerFromTar(b).blob.digest).toBe(layer.blob.digest);
  });
});

describe('normalizeEntries', () => {
  it('adds parents, sorts, strips leading slashes and lets later duplicates win', () => {
    const out = normalizeEntries([
      { path: '/usr/bin/x', content: '1' },
      { path: 'a', content: 'old' },
      { path: 'a', content: 'new' },
    ]);
    expect(out.map((e) => e.path)).toEqual(['a', 'usr/', 'usr/bin/', 'usr/bin/x']);
    expect(out[0]).toMatchObject({ content: 'new' });
  });

  it('refuses paths that leave the root', () => {
    expect(() => normalizeEntries([{ path: '../x', content: '' }])).toThrow(/inside the root/);
    expect(() => normalizeEntries([{ path: '/', content: '' }])).toThrow(/inside the root/);
  });
});
