// sha256 content addresses: `sha256:<64 hex>`, stored as blobs/sha256/<hex>.
import { createHash } from 'node:crypto';
import { ContentError } from './errors.ts';

const SHA256_RE = /^sha256:([a-f0-9]{64})$/;

/** The hex of a sha256 digest; anything else (other algorithms, bad hex) is refused. */
export function digestHex(digest: string): string {
  const hex = SHA256_RE.exec(digest)?.[1];
  if (!hex) throw new ContentError('INVALID_DIGEST', digest, `${JSON.stringify(digest)} is not a sha256 digest (sha256:<64 lowercase hex>)`);
  return hex;
}

export function isSha256Digest(digest: string): boolean {
  return SHA256_RE.test(digest);
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
