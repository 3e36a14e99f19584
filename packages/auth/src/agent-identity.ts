import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { challengePayload } from '@berth/protocol';

export function newNonce(): string {
  return randomBytes(32).toString('base64url');
}

/** True when `signature` is the Ed25519 signature of the challenge by `publicKey` (SPKI DER, base64). */
export function verifyAgentSignature(nonce: string, publicKey: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, challengePayload(nonce, publicKey), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
