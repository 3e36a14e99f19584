// OCI and Docker schema2 manifests and indexes: media types, and parsing that checks the shape
// a pull relies on (a registry may answer anything).
import { digestProblem } from './reference.ts';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** What a pull asks for: indexes and single-platform manifests, OCI and Docker. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];

export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList];
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];

/** Registries cap manifests at 4 MiB; anything bigger is not a manifest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** A manifest or index that is not what it claims, or not one at all. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code = 'INVALID_MANIFEST';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one descriptor; `where` names it in errors ("layers[2]"). */
export function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new ManifestError(`${where} is not a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw new ManifestError(`${where} has no mediaType`);
  if (typeof digest !== 'string') throw new ManifestError(`${where} has no digest`);
  const problem = digestProblem(digest);
  if (problem) throw new ManifestError(`${where}: ${problem}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError(`${where} has no valid size`);
  const desc: Descriptor = { mediaType, digest, size };
  if (isObject(value.annotations)) desc.annotations = value.annotations as Record<string, string>;
  if (isObject(value.platform)) {
    const { os, architecture } = value.platform;
    if (typeof os !== 'string' || typeof architecture !== 'string') throw new ManifestError(`${where}.platform needs os and architecture`);
    desc.platform = value.platform as unknown as Platform;
  }
  if (Array.isArray(value.urls)) desc.urls = value.urls.filter((u): u is string => typeof u === 'string');
  return desc;
}

/**
 * Parses manifest bytes. `mediaType` is the one the registry sent (Content-Type), which wins
 * over the body's own field when the body has none (Docker schema2 always has one; OCI may not).
 */
export function parseManifest(bytes: Uint8Array, mediaType: string): { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest } {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ManifestError(`not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(body)) throw new ManifestError('not a JSON object');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const type = declared ?? (mediaType || (Array.isArray(body.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest));
  if (body.schemaVersion === 1 || type === MEDIA_TYPES.dockerManifestV1 || type === MEDIA_TYPES.dockerManifestV1Signed) {
    throw new ManifestError('Docker schema 1 manifests are not supported: push the image again with a current client');
  }
  if (body.schemaVersion !== 2) throw new ManifestError(`schemaVersion ${JSON.stringify(body.schemaVersion)} is not 2`);

  if (INDEX_MEDIA_TYPES.includes(type)) {
    if (!Array.isArray(body.manifests)) throw new ManifestError(`${type} has no manifests list`);
    const manifests = body.manifests.map((m, i) => parseDescriptor(m, `manifests[${i}]`));
    const index: ImageIndex = { schemaVersion: 2, mediaType: type, manifests };
    if (isObject(body.annotations)) index.annotations = body.annotations as Record<string, string>;
    return { kind: 'index', index };
  }
  if (MANIFEST_MEDIA_TYPES.includes(type)) {
    const config = parseDescriptor(body.config, 'config');
    if (!Array.isArray(body.layers)) throw new ManifestError(`${type} has no layers list`);
    const layers = body.layers.map((l, i) => parseDescriptor(l, `layers[${i}]`));
    const manifest: ImageManifest = { schemaVersion: 2, mediaType: type, config, layers };
    if (isObject(body.annotations)) manifest.annotations = body.annotations as Record<string, string>;
    return { kind: 'manifest', manifest };
  }
  throw new ManifestError(`media type ${JSON.stringify(type)} is neither an image manifest nor an index`);
}

/** An image config (OCI image-spec config.md; Docker's is the same shape). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }[];
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ManifestError(`image config is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(body)) throw new ManifestError('image config is not a JSON object');
  if (typeof body.architecture !== 'string' || typeof body.os !== 'string') throw new ManifestError('image config has no os/architecture');
  const rootfs = body.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw new ManifestError('image config has no rootfs of type "layers"');
  for (const [i, id] of rootfs.diff_ids.entries()) {
    const problem = typeof id === 'string' ? digestProblem(id) : 'not a string';
    if (problem) throw new ManifestError(`image config rootfs.diff_ids[${i}]: ${problem}`);
  }
  return body as unknown as ImageConfig;
}

/** Layer compression, from the layer's media type. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' | null {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd') || mediaType.endsWith('.tar.zstd')) return 'zstd';
  if (mediaType === MEDIA_TYPES.ociLayer || mediaType === MEDIA_TYPES.ociLayerNondistributable) return 'none';
  return null;
}
