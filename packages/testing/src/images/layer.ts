// A layer is a gzip tar blob plus the digest of its uncompressed tar (the diff ID in the config).
import { gzipSync } from 'node:zlib';
import { MEDIA_TYPES, sha256Digest, toBlob } from './digest.ts';
import type { Blob } from './digest.ts';
import { buildLayerTar, EPOCH, normalizeEntries } from './tar.ts';
import type { LayerEntry } from './tar.ts';

export interface Layer {
  /** The compressed blob, as pushed to registries and stored in OCI layouts. */
  blob: Blob;
  /** sha256 of the uncompressed tar: what `rootfs.diff_ids` lists. */
  diffId: string;
  /** The uncompressed tar, as `docker save` writes it. */
  tar: Buffer;
}

/**
 * Wraps an existing tar (possibly hostile) as a layer. zlib writes a zero mtime and a fixed OS
 * byte in the gzip header, so the same tar always gives the same blob digest.
 */
export function layerFromTar(tar: Buffer): Layer {
  const gz = gzipSync(tar, { level: 6 });
  return { blob: toBlob(MEDIA_TYPES.layerGzip, gz), diffId: sha256Digest(tar), tar };
}

/** A well-formed layer from a list of entries: normalised, sorted, timestamps fixed. */
export async function buildLayer(entries: readonly LayerEntry[], mtime: Date = EPOCH): Promise<Layer> {
  return layerFromTar(await buildLayerTar(normalizeEntries(entries), mtime));
}
