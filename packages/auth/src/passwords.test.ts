import { randomBytes, scryptSync } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { ARGON2, hashPassword, needsRehash, verifyPassword } from './passwords.ts';

const argon2id = 2 as Algorithm;
const argon2i = 1 as Algorithm;

// What hashPassword() wrote before argon2id: `scrypt$N$r$p$salt$hash`, standard base64.
function legacyScrypt(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), hash.toString('base64')].join('$');
}

describe('passwords', () => {
  it('hashes with argon2id into a PHC string with the current parameters and a fresh salt', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${ARGON2.m},t=${ARGON2.t},p=${ARGON2.p}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`));
    expect(stored).not.toContain('correct horse');
    expect(await hashPassword('correct horse')).not.toBe(stored);
    // the library's own PHC parser reads our string
    expect(await argon2Verify(stored, 'correct horse')).toBe(true);
    expect(await argon2Verify(stored, 'correct hose')).toBe(false);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hose', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verifies PHC strings made elsewhere with other parameters', async () => {
    const stored = await argon2Hash('made elsewhere', { algorithm: argon2id, memoryCost: 8192, timeCost: 1, parallelism: 2 });
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=2\$/);
    expect(await verifyPassword('made elsewhere', stored)).toBe(true);
    expect(await verifyPassword('made elsewherf', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('still verifies legacy scrypt hashes, and asks for them to be rehashed', async () => {
    const stored = legacyScrypt('an old password');
    expect(await verifyPassword('an old password', stored)).toBe(true);
    expect(await verifyPassword('an old passwore', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(true);
  });

  it('asks for a rehash of argon2id hashes weaker than the current parameters, not of current ones', async () => {
    expect(needsRehash(await hashPassword('x'))).toBe(false);
    const weaker = await argon2Hash('x', { algorithm: argon2id, memoryCost: ARGON2.m / 2, timeCost: ARGON2.t, parallelism: ARGON2.p });
    expect(needsRehash(weaker)).toBe(true);
    const fewerPasses = await argon2Hash('x', { algorithm: argon2id, memoryCost: ARGON2.m, timeCost: 1, parallelism: ARGON2.p });
    expect(needsRehash(fewerPasses)).toBe(true);
    const otherVariant = await argon2Hash('x', { algorithm: argon2i, memoryCost: ARGON2.m, timeCost: ARGON2.t, parallelism: ARGON2.p });
    expect(otherVariant).toMatch(/^\$argon2i\$/);
    expect(needsRehash(otherVariant)).toBe(true);
  });

  it('treats malformed stored strings as a mismatch, without throwing', async () => {
    const good = await hashPassword('pw-in-question');
    const [, , v, params, salt, hash] = good.split('$');
    const malformed = [
      '', 'garbage', '$argon2id$', 'scrypt$', 'scrypt$0$8$1$c2FsdA==$aGFzaA==', 'scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g=',
      'scrypt$32768$8$1$$', 'scrypt$32768$8$1$not base64!$aGFzaGhhc2g=', 'scrypt$1099511627776$8$1$c2FsdHNhbHQ=$aGFzaGhhc2g=',
      `$argon2id$${v}$${params}$${salt}`, `$argon2id$${v}$${params}$${salt}$${hash}$extra`, `$argon2id$v=16$${params}$${salt}$${hash}`,
      `$argon2id$${v}$m=19456,t=2$${salt}$${hash}`, `$argon2id$${v}$m=19456,t=2,p=1,x=3$${salt}$${hash}`, `$argon2id$${v}$m=-1,t=2,p=1$${salt}$${hash}`,
      `$argon2id$${v}$m=99999999999,t=2,p=1$${salt}$${hash}`, `$argon2id$${v}$m=4,t=2,p=1$${salt}$${hash}`, `$argon2id$${v}$${params}$c2FsdA$${hash}`,
      `$argon2id$${v}$${params}$${salt}$**`, `$argon2d$${v}$${params}$${salt}$${hash}`,
    ];
    for (const stored of malformed) {
      await expect(verifyPassword('pw-in-question', stored), stored).resolves.toBe(false);
      expect(needsRehash(stored), stored).toBe(true);
    }
  });
});
