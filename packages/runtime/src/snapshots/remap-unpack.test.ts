// Unpacking for a user namespace remap store: owners shift into the range, file capabilities
// get the range's root, and an owner beyond the range refuses the layer, leaving nothing.
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TarWriter } from '../images/tar-writer.ts';
import type { TarWriteHeader } from '../images/tar-writer.ts';
import { remapMappings } from '../userns/idmap.ts';
import { shiftFileCapability, unshiftFileCapability } from '../userns/file-caps.ts';
import type { NodeOps } from './node-ops.ts';
import { LayerError } from './errors.ts';
import { Snapshotter } from './snapshotter.ts';

const START = 3_000_000_000;
const mappings = remapMappings({ start: START, size: 65536 }, { start: START + 100_000, size: 65536 });

/** Only xattrs are set by these layers; they are kept for inspection (a real setfattr needs a real file system). */
function recordingOps(): NodeOps & { xattrs: Map<string, Buffer> } {
  const xattrs = new Map<string, Buffer>();
  return {
    xattrs,
    mknod: () => Promise.reject(new Error('no devices in these layers')),
    mkfifo: () => Promise.reject(new Error('no fifos in these layers')),
    setXattr: async (path, name, value) => {
      xattrs.set(`${path}#${name}`, value);
    },
  };
}

async function layer(entries: { header: TarWriteHeader; body?: string }[]): Promise<{ bytes: Buffer; diffId: string }> {
  const chunks: Buffer[] = [];
  const tar = new TarWriter(async (c) => {
    chunks.push(Buffer.from(c));
  });
  for (const e of entries) {
    await tar.add(e.header, e.body === undefined ? undefined : (async function* () { yield Buffer.from(e.body as string); })());
  }
  await tar.end();
  const bytes = Buffer.concat(chunks);
  return { bytes, diffId: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

const v2Cap = (() => {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0); // revision 2, effective
  b.writeUInt32LE(1 << 13, 4); // CAP_NET_RAW permitted
  return b;
})();

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-remap-unpack-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a remap store unpacks layers with owners shifted into the range', () => {
  it('shifts files, directories and symlinks, and gives file capabilities the range root', async () => {
    const ops = recordingOps();
    const snap = new Snapshotter(join(root, 'layers'), ops, { idMappings: mappings });
    const l = await layer([
      { header: { name: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0 } },
      { header: { name: 'etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 5 }, body: 'root\n' },
      { header: { name: 'home', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 } },
      { header: { name: 'home/note', type: 'file', mode: 0o600, uid: 65535, gid: 65534, size: 2 }, body: 'hi' },
      { header: { name: 'ping', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1, xattrs: { 'security.capability': v2Cap } }, body: 'x' },
      { header: { name: 'link', type: 'symlink', uid: 7, gid: 8, linkname: 'etc/passwd' } },
    ]);
    await snap.unpack({ chainId: l.diffId, parent: null, diffId: l.diffId, open: async function* () { yield l.bytes; } });
    const diff = snap.diffDir(l.diffId);
    const owner = async (p: string) => {
      const st = await lstat(join(diff, p));
      return [st.uid, st.gid];
    };
    expect(await owner('etc')).toEqual([START, START + 100_000]);
    expect(await owner('etc/passwd')).toEqual([START, START + 100_000]);
    expect(await owner('home')).toEqual([START + 1000, START + 101_000]);
    expect(await owner('home/note')).toEqual([START + 65535, START + 165_534]);
    expect(await owner('link')).toEqual([START + 7, START + 100_008]);
    expect((await lstat(join(diff, 'home'))).mode & 0o7777).toBe(0o700);
    // set while the layer was still in its temporary directory
    const cap = [...ops.xattrs].find(([k]) => k.endsWith('/diff/ping#security.capability'))?.[1];
    expect(cap?.length).toBe(24);
    expect(cap?.readUInt32LE(0)).toBe(0x03000001);
    expect(cap?.readUInt32LE(4)).toBe(1 << 13);
    expect(cap?.readUInt32LE(20)).toBe(START);
  });

  it('refuses an owner beyond the range (a hostile id), naming entry and id, and leaves nothing', async () => {
    const snap = new Snapshotter(join(root, 'layers'), recordingOps(), { idMappings: mappings });
    const l = await layer([
      { header: { name: 'ok', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1 }, body: 'a' },
      { header: { name: 'evil', type: 'file', mode: 0o4755, uid: 4_000_000, gid: 0, size: 1 }, body: 'b' },
    ]);
    const err = await snap.unpack({ chainId: l.diffId, parent: null, diffId: l.diffId, open: async function* () { yield l.bytes; } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LayerError);
    expect((err as LayerError).code).toBe('UNMAPPABLE_ID');
    expect((err as LayerError).message).toMatch(/layer entry "evil" is owned by uid 4000000, which the user namespace remap range \(3000000000-3000065535, 65536 ids\) cannot hold/);
    expect(await readdir(join(root, 'layers'))).toEqual([]);
    expect(await snap.has(l.diffId)).toBe(false);
  });

  it('refuses a gid beyond the range just the same', async () => {
    const snap = new Snapshotter(join(root, 'layers'), recordingOps(), { idMappings: mappings });
    const l = await layer([{ header: { name: 'd', type: 'directory', mode: 0o755, uid: 0, gid: 65536 } }]);
    await expect(snap.unpack({ chainId: l.diffId, parent: null, diffId: l.diffId, open: async function* () { yield l.bytes; } })).rejects.toThrow(/owned by gid 65536/);
  });

  it('a plain store keeps owners as they are', async () => {
    const snap = new Snapshotter(join(root, 'layers'), recordingOps());
    const l = await layer([{ header: { name: 'f', type: 'file', mode: 0o644, uid: 1234, gid: 70000, size: 1 }, body: 'a' }]);
    await snap.unpack({ chainId: l.diffId, parent: null, diffId: l.diffId, open: async function* () { yield l.bytes; } });
    const st = await lstat(join(snap.diffDir(l.diffId), 'f'));
    expect([st.uid, st.gid]).toEqual([1234, 70000]);
  });
});

describe('file capabilities across the remap', () => {
  it('round-trips: v2 → v3 with the range root → v2 again for a commit', () => {
    const shifted = shiftFileCapability(v2Cap, (id) => START + id);
    expect(shifted).not.toBeNull();
    const back = unshiftFileCapability(shifted as Buffer, (id) => id - START);
    expect(back).toEqual(v2Cap);
  });

  it('drops a capability whose root has no host id, and one it cannot read', () => {
    expect(shiftFileCapability(v2Cap, () => null)).toBeNull();
    expect(shiftFileCapability(Buffer.from([1, 2, 3]), (id) => id)).toBeNull();
  });
});
