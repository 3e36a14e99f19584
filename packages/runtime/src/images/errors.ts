// Errors of image operations: each names the image or reference and says what to do.

export type ImageErrorCode =
  /** No image by that name or ID in this store. */
  | 'NOT_FOUND'
  /** The image is in use, or the name is ambiguous: refused unless forced. */
  | 'CONFLICT'
  /** The image has no manifest for this host's platform. */
  | 'PLATFORM_MISMATCH'
  /** The image itself is broken or uses something berth does not support. */
  | 'INVALID_IMAGE';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
