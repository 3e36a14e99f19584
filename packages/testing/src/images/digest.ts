// Content addressing shared by every output format: a blob is named by the sha256 of its bytes.
import { createHash } from 'node:crypto';

export const MEDIA_TYPES = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** A descriptor together with the bytes it describes. */
export interface Blob extends Descriptor {
  data: Buffer;
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of `sha256:<hex>`, used as a file name in blob stores. */
export function digestHex(digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match?.[1]) throw new Error(`not a sha256 digest: ${digest}`);
  return match[1];
}

export function toBlob(mediaType: string, data: Buffer): Blob {
  return { mediaType, digest: sha256Digest(data), size: data.length, data };
}

export function descriptorOf(blob: Blob): Descriptor {
  const { mediaType, digest, size } = blob;
  return { mediaType, digest, size };
}
