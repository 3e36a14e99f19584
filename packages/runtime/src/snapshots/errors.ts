// Errors of layer unpacking. An unsafe entry names the entry and the layer: a hostile or broken
// image is the image's problem, and the message says so.

export type LayerErrorCode =
  /** An entry would land outside the layer directory, or write through a link. */
  | 'UNSAFE_ENTRY'
  /** Not a tar (or not gzip/zstd), or cut short. */
  | 'INVALID_ARCHIVE'
  /** The uncompressed tar does not hash to the diff ID the image config lists. */
  | 'DIFF_ID_MISMATCH'
  /** A media type berth cannot unpack. */
  | 'UNSUPPORTED_LAYER'
  /** The layer is not unpacked (prepare before pull). */
  | 'NOT_FOUND'
  /** It unpacks to more than the per-layer limit: a decompression bomb, or a layer too big for this host. */
  | 'TOO_LARGE'
  /** Unpacking it would leave less than the reserve free on the store's disk, or the disk is full. */
  | 'NO_SPACE'
  /** An entry's owner lies beyond the user namespace remap range, so no host id stands for it. */
  | 'UNMAPPABLE_ID';

export class LayerError extends Error {
  override readonly name = 'LayerError';
  constructor(
    readonly code: LayerErrorCode,
    message: string,
    /** The tar entry concerned, when there is one. */
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An entry refused for safety: says which entry and why. */
export function unsafeEntry(entry: string, why: string): LayerError {
  return new LayerError('UNSAFE_ENTRY', `layer entry ${JSON.stringify(entry)} ${why}: refusing to unpack this layer`, entry);
}
