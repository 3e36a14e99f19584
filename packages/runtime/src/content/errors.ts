// Errors of the content store; each names the blob's digest and says what happened to the bytes.

export type ContentErrorCode =
  /** The bytes hash to another digest than the descriptor's. */
  | 'DIGEST_MISMATCH'
  /** More or fewer bytes than the descriptor's size. */
  | 'SIZE_MISMATCH'
  /** The download stopped before the end; the verified prefix is kept for a resume. */
  | 'INTERRUPTED'
  | 'NOT_FOUND'
  | 'INVALID_DIGEST'
  /** The store's disk filled up: the partial download is dropped to give the space back. */
  | 'NO_SPACE';

export class ContentError extends Error {
  override readonly name = 'ContentError';
  constructor(
    readonly code: ContentErrorCode,
    readonly digest: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
