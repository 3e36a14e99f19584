import { createHash } from 'node:crypto';

/** OpenSSH's fingerprint of a public host key blob: `SHA256:` + unpadded base64 of its sha256. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Normalizes a fingerprint the user pasted (with or without `SHA256:`, padding, spaces); throws when it is not one. */
export function parseFingerprint(text: string): string {
  const t = text.trim().replace(/=+$/, '');
  const fp = t.startsWith('SHA256:') ? t : `SHA256:${t}`;
  if (!FINGERPRINT.test(fp)) throw new Error(`${JSON.stringify(text.slice(0, 80))} is not a SHA256 host key fingerprint (expected SHA256: followed by 43 base64 characters, as \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` prints)`);
  return fp;
}
