import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor } from '../actor.ts';
import { SignInLimiter } from './sign-in-limiter.ts';
import { actorForToken, createUser, login } from './service.ts';

const where = { remoteAddr: '127.0.0.1', source: 'web' as const };

describe('sign-in and password hashes', () => {
  const t = useTestDatabase();

  it('rehashes a legacy scrypt hash to argon2id on a successful sign-in, not on a failed one', async () => {
    await createUser(systemActor(), { username: 'legacy', password: 'placeholder-pass', role: null }, t().db);
    // the row as the scrypt-era hashPassword() left it
    const salt = randomBytes(16);
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), scryptSync('an-old-password', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 }).toString('base64')].join('$');
    await t().db.user.update({ where: { username: 'legacy' }, data: { passwordHash: old } });
    const limiter = new SignInLimiter();

    await expect(login({ username: 'legacy', password: 'wrong-password', ...where }, t().db, limiter)).rejects.toThrow('wrong username or password');
    expect((await t().db.user.findUniqueOrThrow({ where: { username: 'legacy' } })).passwordHash).toBe(old);

    const r = await login({ username: 'legacy', password: 'an-old-password', ...where }, t().db, limiter);
    expect(await actorForToken(r.token, where, t().db)).toMatchObject({ name: 'legacy' });
    const after = (await t().db.user.findUniqueOrThrow({ where: { username: 'legacy' } })).passwordHash;
    expect(after).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audit = await t().db.auditEntry.findFirstOrThrow({ where: { action: 'auth.login', outcome: 'ok', objectId: 'legacy' } });
    expect(audit.params).toEqual({ rehashed: 'argon2id' });

    // the same password still signs in, and a current hash is left as it is
    await login({ username: 'legacy', password: 'an-old-password', ...where }, t().db, limiter);
    expect((await t().db.user.findUniqueOrThrow({ where: { username: 'legacy' } })).passwordHash).toBe(after);
  });

  it('stores argon2id for new users', async () => {
    await createUser(systemActor(), { username: 'fresh', password: 'a-long-password', role: null }, t().db);
    expect((await t().db.user.findUniqueOrThrow({ where: { username: 'fresh' } })).passwordHash).toMatch(/^\$argon2id\$/);
  });
});
