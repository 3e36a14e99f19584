import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { challengePayload } from '@berth/protocol';

export interface AgentIdentity {
  publicKey: string;
  sign(nonce: string): string;
}

/**
 * The agent's Ed25519 key pair: made on first start, kept in the state directory (0600),
 * never sent anywhere. Only the public key (SPKI, base64) leaves the host.
 */
export async function loadIdentity(stateDir: string): Promise<AgentIdentity> {
  const dir = join(stateDir, 'identity');
  const file = join(dir, 'agent.key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the agent key ${file}: ${(err as Error).message}; move it away to enroll this host anew`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ed25519').privateKey;
    await writeFile(`${file}.tmp`, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { publicKey, sign: (nonce) => sign(null, challengePayload(nonce, publicKey), privateKey).toString('base64') };
}
