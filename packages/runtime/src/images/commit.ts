// `docker commit`: a new image from a container's writable layer (its overlay upper dir). The
// upper dir is walked without following any symlink and written as an OCI layer: overlay's
// whiteouts (0:0 character devices) become `.wh.<name>` files and opaque directories
// (trusted.overlay.opaque=y, or user.overlay.opaque=y for userxattr mounts) get a
// `.wh..wh..opq` entry. The layer is gzipped into the store, the parent's config gets the new
// diff ID and a history entry, and the new manifest lists the parent's layers plus this one.
// The container should be paused (or stopped) while its upper dir is read.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sha256Digest } from '../content/digest.ts';
import { MEDIA_TYPES } from '../distribution/manifest.ts';
import type { Descriptor, ImageManifest } from '../distribution/manifest.ts';
import { parseTagReference } from '../distribution/reference.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { hostExec } from '../sys/exec.ts';
import type { Exec } from '../sys/exec.ts';
import { ImageError } from './errors.ts';
import { withImage, withName } from './index-entries.ts';
import type { ImageStoreParts } from './parts.ts';
import { removeUnreferenced } from './remove.ts';
import { resolveImage } from './resolve.ts';
import { withStaging } from './staging.ts';
import { endWritable, writableSink } from './streams.ts';
import { TarWriter } from './tar-writer.ts';
import type { TarWriteHeader } from './tar-writer.ts';
import { OVERFLOW_ID, toContainerId } from '../userns/idmap.ts';
import { unshiftFileCapability } from '../userns/file-caps.ts';
import type { IdMappings } from '../userns/idmap.ts';

/** `docker commit --change`: the config fields a commit may set. */
export interface CommitChanges {
  cmd?: string[];
  entrypoint?: string[];
  /** KEY=VALUE; a key already set is replaced, others are kept. */
  env?: string[];
  workingDir?: string;
  user?: string;
  /** "80/tcp", "53/udp", "8080" (tcp). Added to the parent's. */
  exposedPorts?: string[];
  /** Merged over the parent's. */
  labels?: Record<string, string>;
  /** Added to the parent's. */
  volumes?: string[];
  stopSignal?: string;
}

export interface CommitOptions {
  /** The container's writable layer: its overlay upperdir. */
  upperDir: string;
  /** The image the container was created from (name or ID). */
  parentReference: string;
  author?: string;
  /** The history comment (`docker commit -m`). */
  message?: string;
  /** What the history entry says made the layer (docker puts the container's command there). */
  createdBy?: string;
  changes?: CommitChanges;
  /** Name to give the new image (repository[:tag]); dangling without. */
  reference?: string;
  /**
   * The container ran in a user namespace: owners are shifted back from host ids to the
   * container's (Docker's archive with IDMap), so the image is the same as without remapping.
   */
  idMappings?: IdMappings;
  /** Reads extended attributes of the upper dir; defaults to the host's getfattr. */
  readXattrs?: (dir: string) => Promise<Map<string, Record<string, Buffer>>>;
}

export interface CommitResult {
  /** Image ID (config digest). */
  id: string;
  manifestDigest: string;
  /** The name recorded, fully qualified, if one was given. */
  reference: string | null;
  layer: { digest: string; diffId: string; size: number };
}

type ParentConfig = Record<string, unknown> & {
  rootfs: { type: string; diff_ids: string[] };
  history?: Record<string, unknown>[];
  config?: Record<string, unknown>;
};

const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];

/** Attributes a layer carries: file capabilities and user.* (overlay's own are bookkeeping). */
function keptXattr(name: string): boolean {
  return name === 'security.capability' || (name.startsWith('user.') && !name.startsWith('user.overlay.'));
}

/** getfattr quotes unusual bytes in file names as \ooo and backslash as \\. */
function unquoteGetfattr(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && /^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      bytes.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (text[i] === '\\' && text[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(...Buffer.from(text[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Parses `getfattr -d -e base64` output into path → { name: value }. */
export function parseGetfattrDump(text: string): Map<string, Record<string, Buffer>> {
  const out = new Map<string, Record<string, Buffer>>();
  let current: Record<string, Buffer> | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = {};
      out.set(unquoteGetfattr(line.slice('# file: '.length)), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq <= 0) continue;
    const name = line.slice(0, eq);
    const raw = line.slice(eq + 1);
    let value: Buffer;
    if (raw.startsWith('0s')) value = Buffer.from(raw.slice(2), 'base64');
    else if (raw.startsWith('0x')) value = Buffer.from(raw.slice(2), 'hex');
    else value = Buffer.from(raw.replace(/^"|"$/g, ''), 'utf8');
    current[name] = value;
  }
  return out;
}

/** Every extended attribute under `dir`, by absolute path, in one getfattr run (no shell, no symlink followed). */
export function hostXattrReader(exec: Exec = hostExec()): (dir: string) => Promise<Map<string, Record<string, Buffer>>> {
  return async (dir) => {
    const result = await exec.run(['getfattr', '--absolute-names', '-R', '-P', '-h', '-d', '-m', '-', '-e', 'base64', '--', dir], { timeoutMs: 300_000, maxBuffer: 512 * 1024 * 1024 });
    // getfattr exits 1 when some file had none to read; what it printed is still right.
    if (result.code !== 0 && result.stdout === '' && result.stderr.trim() !== '') throw new Error(`cannot read extended attributes under ${dir}: ${result.stderr.trim()}`);
    return parseGetfattrDump(result.stdout);
  };
}

/**
 * Files whose data stays in a lower layer (metacopy) and directories renamed by reference
 * (redirect_dir) cannot be read from the upper dir alone: refused, as Docker's overlay2 avoids
 * mounting with those features.
 */
function checkOverlayFeatures(upperDir: string, xattrs: Map<string, Record<string, Buffer>>): void {
  for (const [path, attrs] of xattrs) {
    for (const prefix of ['trusted.overlay.', 'user.overlay.']) {
      if (attrs[`${prefix}metacopy`] !== undefined) {
        throw new ImageError('CONFLICT', `cannot commit ${upperDir}: ${path} is an overlay metacopy file whose data is in a lower layer (mount without metacopy=on)`);
      }
      if (attrs[`${prefix}redirect`] !== undefined) {
        throw new ImageError('CONFLICT', `cannot commit ${upperDir}: ${path} is a directory overlay renamed by redirect (mount without redirect_dir=on)`);
      }
    }
  }
}

function devNumbers(rdev: bigint): { major: number; minor: number } {
  // glibc's gnu_dev_major/minor.
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * A directory tree as a tar, in sorted walk order, following no symlink: `docker export` of a
 * container's mounted root filesystem (no whiteouts can appear in a merged view).
 */
export async function writeTreeTar(root: string, sink: (chunk: Buffer) => Promise<void>, idMappings?: IdMappings): Promise<void> {
  const tar = new TarWriter(sink);
  await writeUpperDir(tar, root, new Map(), idMappings);
  await tar.end();
}

/**
 * Host owner → the owner in the archive: under a user namespace, the container's view; a host
 * id the namespace does not map shows there as nobody (the kernel's overflow id), and so it is
 * written.
 */
function archiveOwner(uid: number, gid: number, m?: IdMappings): { uid: number; gid: number } {
  if (!m) return { uid, gid };
  return { uid: toContainerId(m.uidMappings, uid) ?? OVERFLOW_ID, gid: toContainerId(m.gidMappings, gid) ?? OVERFLOW_ID };
}

/** Writes the upper dir as an OCI layer tar, in sorted walk order. */
async function writeUpperDir(tar: TarWriter, root: string, xattrs: Map<string, Record<string, Buffer>>, idMappings?: IdMappings): Promise<void> {
  const links = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? root : join(root, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, path);
      const st: BigIntStats = await lstat(abs, { bigint: true });
      const attrs = xattrs.get(abs) ?? {};
      const base = { name: path, mode: Number(st.mode & 0o7777n), ...archiveOwner(Number(st.uid), Number(st.gid), idMappings), mtime: Number(st.mtimeMs) / 1000 };
      const kept = Object.fromEntries(
        Object.entries(attrs)
          .filter(([k]) => keptXattr(k))
          .map(([k, v]) => [k, k === 'security.capability' && idMappings ? unshiftFileCapability(v, (id) => toContainerId(idMappings.uidMappings, id)) : v] as const)
          .filter((e): e is readonly [string, Buffer] => e[1] !== null),
      );
      const withXattrs = (h: TarWriteHeader): TarWriteHeader => (Object.keys(kept).length > 0 ? { ...h, xattrs: kept } : h);
      const mtime = Math.floor(base.mtime);
      if (st.isCharacterDevice() && st.rdev === 0n) {
        // An overlay whiteout: the file is deleted from the layers below.
        await tar.add({ ...base, mtime, name: rel === '' ? `.wh.${name}` : `${rel}/.wh.${name}`, type: 'file', mode: 0o600, size: 0 });
        continue;
      }
      if (st.isDirectory()) {
        await tar.add(withXattrs({ ...base, mtime, type: 'directory' }));
        if (OPAQUE_XATTRS.some((x) => attrs[x]?.toString() === 'y')) {
          await tar.add({ ...base, mtime, name: `${path}/.wh..wh..opq`, type: 'file', mode: Number(st.mode & 0o777n), size: 0 });
        }
        await walk(path);
        continue;
      }
      if (st.nlink > 1n && !st.isDirectory()) {
        const key = `${st.dev}:${st.ino}`;
        const first = links.get(key);
        if (first !== undefined) {
          await tar.add({ ...base, mtime, type: 'hardlink', linkname: first });
          continue;
        }
        links.set(key, path);
      }
      if (st.isFile()) {
        await tar.add(withXattrs({ ...base, mtime, type: 'file', size: Number(st.size) }), createReadStream(abs) as AsyncIterable<Uint8Array>);
      } else if (st.isSymbolicLink()) {
        await tar.add(withXattrs({ ...base, mtime, type: 'symlink', linkname: await readlink(abs) }));
      } else if (st.isFIFO()) {
        await tar.add({ ...base, mtime, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const { major, minor } = devNumbers(st.rdev);
        await tar.add({ ...base, mtime, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
      }
      // Sockets are not part of an image, as in docker.
    }
  };
  await walk('');
}

function portKey(port: string): string {
  return port.includes('/') ? port : `${port}/tcp`;
}

/** The parent's container config with `changes` applied, as `docker commit --change` does. */
export function applyChanges(config: Record<string, unknown>, changes: CommitChanges = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (changes.cmd) out.Cmd = changes.cmd;
  if (changes.entrypoint) out.Entrypoint = changes.entrypoint;
  if (changes.workingDir !== undefined) out.WorkingDir = changes.workingDir;
  if (changes.user !== undefined) out.User = changes.user;
  if (changes.stopSignal !== undefined) out.StopSignal = changes.stopSignal;
  if (changes.env) {
    const env = [...((config.Env as string[] | undefined) ?? [])];
    for (const pair of changes.env) {
      const key = pair.split('=')[0];
      const i = env.findIndex((e) => e.split('=')[0] === key);
      if (i === -1) env.push(pair);
      else env[i] = pair;
    }
    out.Env = env;
  }
  if (changes.exposedPorts) out.ExposedPorts = { ...((config.ExposedPorts as object | undefined) ?? {}), ...Object.fromEntries(changes.exposedPorts.map((p) => [portKey(p), {}])) };
  if (changes.labels) out.Labels = { ...((config.Labels as object | undefined) ?? {}), ...changes.labels };
  if (changes.volumes) out.Volumes = { ...((config.Volumes as object | undefined) ?? {}), ...Object.fromEntries(changes.volumes.map((v) => [v, {}])) };
  return out;
}

export async function commitContainer(parts: ImageStoreParts, opts: CommitOptions): Promise<CommitResult> {
  const upper = await lstat(opts.upperDir).catch(() => null);
  if (!upper?.isDirectory()) throw new ImageError('NOT_FOUND', `cannot commit: the container's upper dir ${opts.upperDir} is not a directory`);
  const name = opts.reference !== undefined ? parseTagReference(opts.reference) : null;
  const recordName = name ? `${name.domain}/${name.path}:${name.tag}` : null;

  const entries = (await parts.content.readIndex()).manifests;
  const parent = resolveImage(entries, opts.parentReference);
  const parentManifestDigest = parent.manifests[0] as string;
  const parentManifest = await parts.readManifest(parentManifestDigest);
  const parentConfig = JSON.parse((await parts.content.read(parentManifest.config.digest)).toString('utf8')) as ParentConfig;
  const docker = (parentManifest.mediaType || entries.find((e) => e.digest === parentManifestDigest)?.mediaType) === MEDIA_TYPES.dockerManifest;

  return withStaging(parts.content.root, 'commit', (staging) => commitIn(parts, opts, staging, { recordName, parentManifestDigest, parentManifest, parentConfig, docker }));
}

async function commitIn(
  parts: ImageStoreParts,
  opts: CommitOptions,
  staging: string,
  { recordName, parentManifestDigest, parentManifest, parentConfig, docker }: { recordName: string | null; parentManifestDigest: string; parentManifest: ImageManifest; parentConfig: ParentConfig; docker: boolean },
): Promise<CommitResult> {
  const release = parts.leases.acquire([parentManifestDigest, parentManifest.config.digest, ...parentManifest.layers.map((l) => l.digest)]);
  const written: string[] = [];
  const unpacked: string[] = [];
  let releaseNew = (): void => {};
  try {
    // Layer: tar → (diff ID) → gzip → (blob digest) → staging file.
    const xattrs = await (opts.readXattrs ?? hostXattrReader())(opts.upperDir);
    checkOverlayFeatures(opts.upperDir, xattrs);
    const blobPath = join(staging, 'layer.tar.gz');
    const tarHash = createHash('sha256');
    const gzHash = createHash('sha256');
    let gzSize = 0;
    const gzip = createGzip();
    const done = pipeline(
      gzip,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          gzHash.update(chunk);
          gzSize += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(blobPath, { mode: 0o600 }),
    );
    const sink = writableSink(gzip);
    const tar = new TarWriter(async (chunk) => {
      tarHash.update(chunk);
      await sink(chunk);
    });
    try {
      await writeUpperDir(tar, opts.upperDir, xattrs, opts.idMappings);
      await tar.end();
      await endWritable(gzip);
    } catch (err) {
      gzip.destroy(err as Error);
      await done.catch(() => {});
      throw err;
    }
    await done;
    const diffId = `sha256:${tarHash.digest('hex')}`;
    const layer: Descriptor = {
      mediaType: docker ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip,
      digest: `sha256:${gzHash.digest('hex')}`,
      size: gzSize,
    };

    // Config: the parent's, with the new layer, its history line and the changes.
    const created = new Date().toISOString();
    const history: Record<string, unknown> = { created, created_by: opts.createdBy ?? '' };
    if (opts.author) history.author = opts.author;
    if (opts.message) history.comment = opts.message;
    const { container: _c, container_config: _cc, ...inherited } = parentConfig;
    const config: Record<string, unknown> = {
      ...inherited,
      created,
      config: applyChanges(parentConfig.config ?? {}, opts.changes),
      rootfs: { type: 'layers', diff_ids: [...parentConfig.rootfs.diff_ids, diffId] },
      history: [...(parentConfig.history ?? []), history],
    };
    if (opts.author) config.author = opts.author;
    else delete config.author;
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDesc: Descriptor = { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, digest: sha256Digest(configBytes), size: configBytes.length };
    const manifestType = docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: manifestType, config: configDesc, layers: [...parentManifest.layers, layer] }));
    const manifestDesc = { mediaType: manifestType, digest: sha256Digest(manifestBytes), size: manifestBytes.length };

    const chain = chainIds([...parentConfig.rootfs.diff_ids, diffId]);
    const chainId = chain.at(-1) as string;
    releaseNew = parts.leases.acquire([layer.digest, configDesc.digest, manifestDesc.digest, chainId]);
    const ingest = await parts.content.ingest(layer, async (offset) => ({ body: createReadStream(blobPath, { start: offset }) as AsyncIterable<Uint8Array>, offset }));
    if (ingest.status === 'written') written.push(layer.digest);
    for (const [desc, bytes] of [
      [configDesc, configBytes],
      [manifestDesc, manifestBytes],
    ] as const) {
      if (!(await parts.content.has(desc.digest))) written.push(desc.digest);
      await parts.content.writeBuffer(desc, bytes);
    }
    const result = await parts.layers.unpack({
      chainId,
      parent: chain.length > 1 ? (chain[chain.length - 2] as string) : null,
      diffId,
      blob: layer.digest,
      open: () => parts.content.openRead(layer.digest) as AsyncIterable<Uint8Array>,
    });
    if (result.unpacked) unpacked.push(chainId);

    await parts.metaLock.run(() =>
      parts.content.updateIndex((current) => {
        const target = { manifest: manifestDesc, id: configDesc.digest, repoDigests: [] };
        return { manifests: recordName ? withName(current, recordName, target) : withImage(current, target), result: undefined };
      }),
    );
    return { id: configDesc.digest, manifestDigest: manifestDesc.digest, reference: recordName, layer: { digest: layer.digest, diffId, size: gzSize } };
  } catch (err) {
    await removeUnreferenced(parts, written, unpacked, [release, releaseNew]).catch(() => {});
    throw err;
  } finally {
    release();
    releaseNew();
  }
}
