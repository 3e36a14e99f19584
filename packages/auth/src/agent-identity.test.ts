import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { challengePayload } from '@berth/protocol';
import { newNonce, verifyAgentSignature } from './agent-identity.ts';

const keyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pub: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
};

describe('agent identity', () => {
  it('accepts the signature of the fresh challenge by the enrolled key', () => {
    const { pub, privateKey } = keyPair();
    const nonce = newNonce();
    expect(verifyAgentSignature(nonce, pub, sign(null, challengePayload(nonce, pub), privateKey).toString('base64'))).toBe(true);
  });
  it('refuses a replayed signature over another nonce, another key, and garbage', () => {
    const { pub, privateKey } = keyPair();
    const other = keyPair();
    const old = newNonce();
    const sig = sign(null, challengePayload(old, pub), privateKey).toString('base64');
    expect(verifyAgentSignature(newNonce(), pub, sig)).toBe(false);
    expect(verifyAgentSignature(old, other.pub, sig)).toBe(false);
    expect(verifyAgentSignature(old, 'not a key', sig)).toBe(false);
  });
});
