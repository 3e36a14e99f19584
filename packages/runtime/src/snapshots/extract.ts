// Unpacks one layer's tar entries into a directory, as a read-only overlay lower layer:
// OCI whiteouts become overlay whiteouts (0:0 character devices) and opaque directories get
// trusted.overlay.opaque=y. Nothing is written outside `dest` and no symlink is followed: every
// parent is lstat'ed (a symlinked parent is refused), existing entries are removed before a new
// one is made, and files are opened O_CREAT|O_EXCL|O_NOFOLLOW. Owners, modes (setuid included)
// and mtimes are kept, as Docker does when running as root. For a user namespace remap store
// every owner is shifted into the remap range (Docker's archive.Untar with IDMap): an id
// beyond the range has no host id and the layer is refused, as Docker refuses it.
import { constants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, utimes, chown, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEntryPath, cleanLinkTarget, classifyWhiteout, symlinkEscapes } from './entry-path.ts';
import { LayerError, unsafeEntry } from './errors.ts';
import { OVERLAY_OPAQUE_XATTR } from './node-ops.ts';
import type { NodeOps } from './node-ops.ts';
import type { TarEntry, TarHeader } from './tar-reader.ts';
import { describeRange, toHostId } from '../userns/idmap.ts';
import type { IdMappings } from '../userns/idmap.ts';
import { shiftFileCapability } from '../userns/file-caps.ts';

export interface ExtractOptions {
  /** Shift owners into a user namespace's host ids (the container's 0 is the range start). */
  idMappings?: IdMappings;
}

export interface ExtractResult {
  /** Bytes of regular file content written (what `docker images` sums as size). */
  size: number;
  entries: number;
}

// Extended attributes a layer may carry onto the host: file capabilities and user.*. Others
// (trusted.*, security.selinux...) would let an image steer overlayfs or the host's LSM.
function xattrAllowed(name: string): boolean {
  return name === 'security.capability' || name.startsWith('user.');
}

const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

async function lstatOrNull(path: string): Promise<Awaited<ReturnType<typeof lstat>> | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function drain(body: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of body) {
    // skipped
  }
}

class LayerWriter {
  /** Directories known to be real directories (not symlinks) inside dest. */
  private readonly dirs = new Set<string>(['']);
  /**
   * Every path this extraction made. In a directory that was empty at the start (`fresh`),
   * nothing can be at a path not in here, so the lstat before making it is skipped: one round
   * trip to libuv's threads less per entry.
   */
  private readonly made = new Set<string>(['']);
  /** Directory metadata, applied last: writing into a directory changes its mtime. */
  private readonly dirHeaders = new Map<string, TarHeader>();
  size = 0;
  entries = 0;

  constructor(
    private readonly dest: string,
    private readonly ops: NodeOps,
    private readonly idMappings?: IdMappings,
    private readonly fresh = false,
  ) {}

  /** What is at `path`: looked up unless this extraction knows nothing can be there. */
  private async existing(path: string): Promise<Awaited<ReturnType<typeof lstat>> | null> {
    if (this.fresh && !this.made.has(path)) return null;
    return lstatOrNull(this.abs(path));
  }

  /** The header with its owner as the host sees it: shifted into the remap range, if any. */
  private onHost(header: TarHeader): TarHeader {
    const m = this.idMappings;
    if (!m) return header;
    const uid = toHostId(m.uidMappings, header.uid);
    const gid = toHostId(m.gidMappings, header.gid);
    if (uid === null || gid === null) {
      const [what, id, ranges] = uid === null ? ['uid', header.uid, m.uidMappings] : ['gid', header.gid, m.gidMappings];
      throw new LayerError(
        'UNMAPPABLE_ID',
        `layer entry ${JSON.stringify(header.name)} is owned by ${what} ${id}, which the user namespace remap range (${describeRange(ranges)}, ${ranges.reduce((n, r) => n + r.size, 0)} ids) cannot hold: the image cannot run with BERTH_USERNS_REMAP on; give the remap user a larger range in /etc/subuid and /etc/subgid, or run the agent without remapping`,
        header.name,
      );
    }
    const xattrs = { ...header.xattrs };
    const cap = xattrs['security.capability'];
    if (cap) {
      const shifted = shiftFileCapability(cap, (id) => toHostId(m.uidMappings, id));
      if (shifted) xattrs['security.capability'] = shifted;
      else delete xattrs['security.capability'];
    }
    return { ...header, uid, gid, xattrs };
  }

  private abs(path: string): string {
    return path === '' ? this.dest : join(this.dest, path);
  }

  /** Makes every parent of `path` a real directory; refuses symlinks and non-directories on the way. */
  private async ensureParents(entry: string, path: string): Promise<void> {
    const parts = path.split('/');
    parts.pop();
    let prefix = '';
    for (const part of parts) {
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      if (this.dirs.has(prefix)) continue;
      const st = await this.existing(prefix);
      if (st === null) {
        this.made.add(prefix);
        await mkdir(this.abs(prefix), { mode: 0o755 });
      } else if (st.isSymbolicLink()) throw unsafeEntry(entry, `has a parent directory ${JSON.stringify(prefix)} that is a symlink (writing through it could land outside the layer)`);
      else if (!st.isDirectory()) throw unsafeEntry(entry, `has a parent ${JSON.stringify(prefix)} that is not a directory`);
      this.dirs.add(prefix);
    }
  }

  /** Removes whatever is at `path` unless it is a directory and a directory is wanted. */
  private async clear(path: string, keepDirectory: boolean): Promise<void> {
    const st = await this.existing(path);
    if (st === null) return;
    if (keepDirectory && st.isDirectory()) return;
    await rm(this.abs(path), { recursive: true, force: true });
    for (const known of [...this.dirs]) if (known === path || known.startsWith(`${path}/`)) this.dirs.delete(known);
    for (const known of [...this.made]) if (known === path || known.startsWith(`${path}/`)) this.made.delete(known);
    for (const known of [...this.dirHeaders.keys()]) if (known === path || known.startsWith(`${path}/`)) this.dirHeaders.delete(known);
  }

  async write(entry: TarEntry): Promise<void> {
    const header = this.onHost(entry.header);
    const path = cleanEntryPath(header.name);
    this.entries++;
    if (path === '') {
      // The layer root: its metadata belongs to the container root, which the layer does not own.
      await drain(entry.body);
      return;
    }
    const whiteout = classifyWhiteout(path);
    if (whiteout.kind === 'aufs-metadata') return drain(entry.body);
    if (whiteout.kind === 'opaque') {
      await drain(entry.body);
      if (whiteout.dir !== '') {
        await this.ensureParents(header.name, `${whiteout.dir}/x`);
      }
      await this.ops.setXattr(this.abs(whiteout.dir), OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
      return;
    }
    if (whiteout.kind === 'whiteout') {
      await drain(entry.body);
      await this.ensureParents(header.name, whiteout.target);
      await this.clear(whiteout.target, false);
      this.made.add(whiteout.target);
      await this.ops.mknod(this.abs(whiteout.target), 'c', 0, 0);
      return;
    }

    await this.ensureParents(header.name, path);
    await this.clear(path, header.type === 'directory');
    const abs = this.abs(path);
    const st = header.type === 'directory' ? await this.existing(path) : null;
    // recorded before it is made: a failure half-way leaves it to be looked at, never assumed absent
    this.made.add(path);
    switch (header.type) {
      case 'directory': {
        if (st === null) await mkdir(abs, { mode: 0o700 });
        this.dirs.add(path);
        this.dirHeaders.set(path, header);
        await drain(entry.body);
        break;
      }
      case 'file':
        await this.writeFile(abs, header, entry.body);
        break;
      case 'symlink':
        await drain(entry.body);
        await symlink(header.linkname, abs);
        await lchown(abs, header.uid, header.gid);
        await lutimes(abs, header.mtime, header.mtime);
        break;
      case 'hardlink':
        await drain(entry.body);
        await this.hardlink(header, abs);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await drain(entry.body);
        if (header.type === 'fifo') await this.ops.mkfifo(abs, header.mode);
        else await this.ops.mknod(abs, header.type === 'character-device' ? 'c' : 'b', header.devmajor, header.devminor);
        // Checked again: the path was made by a child process.
        if ((await lstat(abs)).isSymbolicLink()) throw unsafeEntry(header.name, 'became a symlink while being created');
        await lchown(abs, header.uid, header.gid);
        await chmod(abs, header.mode);
        await utimes(abs, header.mtime, header.mtime);
        break;
    }
    await this.applyXattrs(header, abs);
  }

  private async writeFile(abs: string, header: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
    const file = await open(abs, FILE_FLAGS, 0o600);
    try {
      // chunks gathered up to 1 MiB per write: each write is a round trip to libuv's threads
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async () => {
        await writeAll(file, batch, batched);
        batch = [];
        batched = 0;
      };
      for await (const chunk of body) {
        batch.push(chunk);
        batched += chunk.length;
        this.size += chunk.length;
        if (batched >= WRITE_BATCH) await flush();
      }
      if (batched > 0) await flush();
      // chown clears setuid/setgid, so the mode comes after it; the times are independent
      await file.chown(header.uid, header.gid);
      await Promise.all([file.chmod(header.mode), file.utimes(header.mtime, header.mtime)]);
    } finally {
      await file.close();
    }
  }

  private async hardlink(header: TarHeader, abs: string): Promise<void> {
    const target = cleanLinkTarget(header.name, header.linkname);
    await this.ensureParents(header.name, target);
    const st = await lstatOrNull(this.abs(target));
    if (st === null) throw unsafeEntry(header.name, `is a hardlink to ${JSON.stringify(header.linkname)}, which is not an earlier entry of this layer`);
    if (st.isDirectory()) throw unsafeEntry(header.name, `is a hardlink to the directory ${JSON.stringify(header.linkname)}`);
    if (st.isSymbolicLink() && symlinkEscapes(target, await readlink(this.abs(target)))) {
      throw unsafeEntry(header.name, `is a hardlink to the symlink ${JSON.stringify(header.linkname)}, which points outside the layer`);
    }
    // link(2) does not follow a symlink target: the new name is the same inode as `target`.
    await link(this.abs(target), abs);
  }

  private async applyXattrs(header: TarHeader, abs: string): Promise<void> {
    for (const [name, value] of Object.entries(header.xattrs)) {
      if (xattrAllowed(name)) await this.ops.setXattr(abs, name, value);
    }
  }

  /** Directory owners, modes and mtimes, now that nothing more is written into them. */
  async finish(): Promise<void> {
    const paths = [...this.dirHeaders.keys()].sort((a, b) => b.length - a.length);
    for (const path of paths) {
      const header = this.dirHeaders.get(path) as TarHeader;
      const abs = this.abs(path);
      const st = await lstat(abs);
      if (!st.isDirectory()) continue;
      await chown(abs, header.uid, header.gid);
      await chmod(abs, header.mode);
      await utimes(abs, header.mtime, header.mtime);
    }
  }
}

const WRITE_BATCH = 1024 * 1024;

/** Writes all of `chunks` (`length` bytes), however the kernel splits the writes. */
async function writeAll(file: FileHandle, chunks: Buffer[], length: number): Promise<void> {
  const data = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
  let written = 0;
  while (written < data.length) written += (await file.write(data, written)).bytesWritten;
}

/** Writes every entry into `dest` (an empty directory the caller discards on failure). */
export async function extractEntries(entries: AsyncIterable<TarEntry>, dest: string, ops: NodeOps, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const fresh = (await readdir(dest)).length === 0;
  const writer = new LayerWriter(dest, ops, opts.idMappings, fresh);
  for await (const entry of entries) {
    try {
      await writer.write(entry);
    } catch (err) {
      // A full disk is the host's problem, not the archive's: the caller says so.
      if (err instanceof LayerError || (err as NodeJS.ErrnoException).code === 'ENOSPC') throw err;
      throw new LayerError('INVALID_ARCHIVE', `cannot unpack layer entry ${JSON.stringify(entry.header.name)}: ${(err as Error).message}`, entry.header.name, { cause: err });
    }
  }
  await writer.finish();
  return { size: writer.size, entries: writer.entries };
}
