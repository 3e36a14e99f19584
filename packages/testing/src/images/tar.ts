// Tar building for layers. `buildLayerTar` writes entries verbatim (names, link targets, order)
// so tests can craft hostile layers; `normalizeEntries` is what well-behaved images go through.
import { posix } from 'node:path';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

interface EntryBase {
  path: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface FileEntry extends EntryBase {
  type?: 'file';
  content: string | Uint8Array;
}
export interface DirEntry extends EntryBase {
  type: 'dir';
}
export interface SymlinkEntry extends EntryBase {
  type: 'symlink';
  target: string;
}
/** A tar hardlink: `target` names another entry of the archive (or anything, for hostile tests). */
export interface HardlinkEntry extends EntryBase {
  type: 'hardlink';
  target: string;
}
export interface DeviceEntry extends EntryBase {
  type: 'character-device' | 'block-device';
  major: number;
  minor: number;
}
export interface FifoEntry extends EntryBase {
  type: 'fifo';
}

export type LayerEntry = FileEntry | DirEntry | SymlinkEntry | HardlinkEntry | DeviceEntry | FifoEntry;

/** Fixed timestamp for tar headers when none is given, so layers are reproducible. */
export const EPOCH = new Date(0);

/** An AUFS/OCI whiteout: deletes `path` from lower layers. */
export function whiteout(path: string): FileEntry {
  return { path: posix.join(posix.dirname(path), `.wh.${posix.basename(path)}`), content: '' };
}

/** An opaque whiteout: hides everything lower layers have under `dir`. */
export function opaqueWhiteout(dir: string): FileEntry {
  return { path: posix.join(dir, '.wh..wh..opq'), content: '' };
}

function headerOf(entry: LayerEntry, mtime: Date): Headers {
  const base: Headers = {
    name: entry.path,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    mtime,
  };
  switch (entry.type) {
    case undefined:
    case 'file':
      return { ...base, type: 'file', mode: entry.mode ?? 0o644 };
    case 'dir':
      return { ...base, type: 'directory', mode: entry.mode ?? 0o755 };
    case 'symlink':
      return { ...base, type: 'symlink', mode: entry.mode ?? 0o777, linkname: entry.target };
    case 'hardlink':
      return { ...base, type: 'link', mode: entry.mode ?? 0o644, linkname: entry.target };
    case 'character-device':
    case 'block-device':
      return { ...base, type: entry.type, mode: entry.mode ?? 0o666, devmajor: entry.major, devminor: entry.minor };
    case 'fifo':
      return { ...base, type: 'fifo', mode: entry.mode ?? 0o644 };
  }
}

/**
 * Writes an uncompressed tar holding exactly `entries`, in order, with names as given:
 * no normalisation, so `../x`, `/etc/x`, links out of the root and device nodes all pass through.
 */
export async function buildLayerTar(entries: readonly LayerEntry[], mtime: Date = EPOCH): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const entry of entries) {
    const header = headerOf(entry, mtime);
    const body = entry.type === undefined || entry.type === 'file' ? Buffer.from(entry.content) : undefined;
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** `/a/b/` and `a/b` both become `a/b`; refuses paths that leave the root. */
function cleanPath(path: string): string {
  const clean = posix.normalize(`/${path}`).slice(1).replace(/\/$/, '');
  // normalize would silently re-root `../x` as `x`: refuse it instead, hostile layers use buildLayerTar.
  if (clean === '' || path.split('/').includes('..')) throw new Error(`layer path must name something inside the root: ${JSON.stringify(path)}`);
  return clean;
}

/**
 * Makes entries fit for a well-formed layer: relative clean paths, parent directories present,
 * sorted (a parent sorts before its children), later duplicates win. Directory names get a
 * trailing slash as `tar` and `docker save` write them.
 */
export function normalizeEntries(entries: readonly LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const entry of entries) {
    const path = cleanPath(entry.path);
    byPath.set(path, { ...entry, path });
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
      if (!byPath.has(dir)) byPath.set(dir, { type: 'dir', path: dir });
    }
  }
  return [...byPath.keys()]
    .sort()
    .map((path) => {
      const entry = byPath.get(path) as LayerEntry;
      return entry.type === 'dir' ? { ...entry, path: `${path}/` } : entry;
    });
}
