// Read-only views of the store: `docker images`, `docker image inspect`, `docker history`.
import type { BlobDescriptor } from '../content/store.ts';
import type { ImageConfig } from '../distribution/manifest.ts';
import { familiarRepository, parseReference } from '../distribution/reference.ts';
import { chainIds } from '../snapshots/snapshotter.ts';
import { entryName, repoDigestsOf } from './index-entries.ts';
import type { ImageStoreParts } from './parts.ts';
import { imageIdOf, resolveImage } from './resolve.ts';

/** One row of `docker images`. */
export interface ImageSummary {
  /** Familiar repository (busybox, localhost:5000/app), or '<none>'. */
  repository: string;
  /** Tag, or '<none>' for digest references and dangling images. */
  tag: string;
  /** Repo digest for this repository, if known. */
  digest: string | null;
  /** Image ID: sha256 of the config. */
  id: string;
  /** The fully qualified name, null when dangling. */
  name: string | null;
  /** ISO time from the image config. */
  created: string | null;
  /** Unpacked size: bytes of file content over all layers. */
  size: number;
  /** Compressed bytes of config and layers as pulled. */
  contentSize: number;
  dangling: boolean;
}

export interface ListOptions {
  /** true: only dangling images (`-f dangling=true`); false: only named ones. */
  dangling?: boolean;
}

export interface ImageInspect {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: string | null;
  author: string | null;
  architecture: string;
  os: string;
  variant: string | null;
  /** The config's `config` section: Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Labels… */
  config: Record<string, unknown>;
  rootfs: { type: string; diffIds: string[] };
  /** Chain IDs, bottom first. */
  layers: string[];
  size: number;
  manifest: { digest: string; mediaType: string; size: number };
  history: NonNullable<ImageConfig['history']>;
}

/** One row of `docker history`, top layer first. */
export interface HistoryEntry {
  /** The image ID on the top row; '<missing>' below, as docker shows for pulled images. */
  id: string;
  created: string | null;
  createdBy: string;
  /** Unpacked size of the layer this step made, 0 for steps without one. */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

async function layerSizes(parts: ImageStoreParts, config: ImageConfig): Promise<number[]> {
  const sizes: number[] = [];
  for (const id of chainIds(config.rootfs.diff_ids)) sizes.push((await parts.layers.info(id))?.size ?? 0);
  return sizes;
}

async function describe(parts: ImageStoreParts, manifestDigest: string) {
  const manifest = await parts.readManifest(manifestDigest);
  const config = await parts.readConfig(manifest.config.digest);
  const sizes = await layerSizes(parts, config);
  return {
    manifest,
    config,
    sizes,
    size: sizes.reduce((a, b) => a + b, 0),
    contentSize: manifest.config.size + manifest.layers.reduce((a, l) => a + l.size, 0),
  };
}

function splitName(name: string): { repository: string; tag: string; repoName: string } {
  const ref = parseReference(name);
  return { repository: familiarRepository(ref), tag: ref.tag ?? '<none>', repoName: `${ref.domain}/${ref.path}` };
}

export async function listImages(parts: ImageStoreParts, opts: ListOptions = {}): Promise<ImageSummary[]> {
  const entries = (await parts.content.readIndex()).manifests;
  const rows: ImageSummary[] = [];
  const described = new Map<string, Awaited<ReturnType<typeof describe>> | null>();
  for (const entry of entries) {
    if (!described.has(entry.digest)) described.set(entry.digest, await describe(parts, entry.digest).catch(() => null));
    const info = described.get(entry.digest);
    const name = entryName(entry) ?? null;
    const dangling = name === null;
    if (opts.dangling !== undefined && opts.dangling !== dangling) continue;
    const base = {
      id: imageIdOf(entry),
      name,
      created: info?.config.created ?? null,
      size: info?.size ?? 0,
      contentSize: info?.contentSize ?? 0,
      dangling,
    };
    if (name === null) {
      rows.push({ ...base, repository: '<none>', tag: '<none>', digest: repoDigestsOf(entries, entry.digest)[0]?.replace(/^.*@/, '') ?? null });
      continue;
    }
    const { repository, tag, repoName } = splitName(name);
    const digest = repoDigestsOf(entries, entry.digest).find((d) => d.startsWith(`${repoName}@`))?.replace(/^.*@/, '') ?? null;
    rows.push({ ...base, repository, tag, digest });
  }
  // Newest first, as docker lists them.
  return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.repository.localeCompare(b.repository) || a.tag.localeCompare(b.tag));
}

export async function inspectImage(parts: ImageStoreParts, input: string): Promise<ImageInspect> {
  const entries = (await parts.content.readIndex()).manifests;
  const target = resolveImage(entries, input);
  const digest = target.manifests[0] as string;
  const own: BlobDescriptor[] = entries.filter((e) => target.manifests.includes(e.digest));
  const { manifest, config, size } = await describe(parts, digest);
  const names = own.map(entryName).filter((n): n is string => n !== undefined);
  const manifestEntry = own.find((e) => e.digest === digest) as BlobDescriptor;
  return {
    id: target.id,
    repoTags: names.filter((n) => !n.includes('@')),
    repoDigests: [...new Set([...target.manifests.flatMap((m) => repoDigestsOf(entries, m)), ...names.filter((n) => n.includes('@'))])],
    created: config.created ?? null,
    author: config.author ?? null,
    architecture: config.architecture,
    os: config.os,
    variant: config.variant ?? null,
    config: config.config ?? {},
    rootfs: { type: config.rootfs.type, diffIds: config.rootfs.diff_ids },
    layers: chainIds(config.rootfs.diff_ids),
    size,
    manifest: { digest, mediaType: manifest.mediaType || manifestEntry.mediaType, size: manifestEntry.size },
    history: config.history ?? [],
  };
}

export async function imageHistory(parts: ImageStoreParts, input: string): Promise<HistoryEntry[]> {
  const entries = (await parts.content.readIndex()).manifests;
  const target = resolveImage(entries, input);
  const { config, sizes } = await describe(parts, target.manifests[0] as string);
  const history: NonNullable<ImageConfig['history']> = config.history ?? config.rootfs.diff_ids.map(() => ({}));
  let layer = 0;
  const rows: HistoryEntry[] = history.map((h) => {
    const empty = h.empty_layer === true;
    const size = empty ? 0 : (sizes[layer++] ?? 0);
    return { id: '<missing>', created: h.created ?? null, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', emptyLayer: empty };
  });
  rows.reverse();
  if (rows[0]) rows[0].id = target.id;
  return rows;
}
