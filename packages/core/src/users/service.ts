import { db as defaultDb, type Db, type Role } from '@berth/db';
import { generatePassword, generateToken, hashPassword, hashToken, verifyPassword } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { requireRole, systemActor } from '../actor.ts';
import { appendAudit, audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

// Checked when the user does not exist, so that a wrong name costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;
const unknownUserHash = () => (dummyHash ??= hashPassword(generatePassword()));

/** On first start: creates `admin` with a random password, and returns it once. */
export async function ensureFirstAdmin(db: Db = defaultDb()): Promise<{ username: string; password: string } | null> {
  if ((await db.user.count()) > 0) return null;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await audited(systemActor(), { action: 'user.create', objectType: 'user', objectId: 'admin', params: { username: 'admin', role: 'admin' } }, (tx) =>
    tx.user.create({ data: { username: 'admin', passwordHash, role: 'admin' } }), db);
  return { username: 'admin', password };
}

export async function createUser(actor: Actor, input: { username: string; password: string; role: Role }, db: Db = defaultDb()) {
  requireRole(actor, 'admin', 'creating a user');
  const passwordHash = await hashPassword(input.password);
  return audited(actor, { action: 'user.create', objectType: 'user', objectId: input.username, params: { username: input.username, role: input.role } }, async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username } })) throw new AppError('CONFLICT', `a user named ${input.username} exists already: choose another name`);
    const u = await tx.user.create({ data: { username: input.username, passwordHash, role: input.role } });
    return { id: u.id, username: u.username, role: u.role };
  }, db);
}

/** Checks a password and opens a session; the returned token goes in the cookie. */
export async function login(input: { username: string; password: string; remoteAddr: string | null; source: Actor['source'] }, db: Db = defaultDb()) {
  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyPassword(input.password, await unknownUserHash());
  const actor: Actor = { kind: 'user', id: user?.id ?? null, name: input.username, role: user?.role ?? 'viewer', source: input.source, remoteAddr: input.remoteAddr };
  if (!user || !ok) {
    await db.$transaction((tx) => appendAudit(tx, actor, { action: 'auth.login', params: { username: input.username }, outcome: 'refused', error: 'wrong username or password' }));
    throw new AppError('UNAUTHORIZED', 'wrong username or password');
  }
  const token = generateToken('session');
  await db.$transaction(async (tx) => {
    await tx.session.create({ data: { tokenHash: hashToken(token), userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS) } });
    await appendAudit(tx, actor, { action: 'auth.login', objectType: 'user', objectId: user.username, outcome: 'ok' });
  });
  return { token, user: { id: user.id, username: user.username, role: user.role } };
}

export async function logout(token: string, db: Db = defaultDb()): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** The actor behind a session cookie or an API token, or null when it is unknown, expired or revoked. */
export async function actorForToken(token: string, ctx: { remoteAddr: string | null; source: Actor['source'] }, db: Db = defaultDb()): Promise<Actor | null> {
  const tokenHash = hashToken(token);
  const now = new Date();
  if (token.startsWith('bs_')) {
    const s = await db.session.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!s || s.expiresAt < now) return null;
    return { kind: 'user', id: s.user.id, name: s.user.username, role: s.user.role, source: ctx.source, remoteAddr: ctx.remoteAddr };
  }
  if (token.startsWith('berth_')) {
    const t = await db.apiToken.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!t || t.revokedAt || (t.expiresAt && t.expiresAt < now)) return null;
    // lastUsedAt is a hint for the token list, not worth a write on every call
    if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > 60_000) await db.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: now } });
    return { kind: 'user', id: t.user.id, name: t.user.username, role: t.user.role, source: ctx.source === 'web' ? 'api' : ctx.source, remoteAddr: ctx.remoteAddr };
  }
  return null;
}

export async function createApiToken(actor: Actor, input: { name: string; userId?: string; expiresAt?: Date }, db: Db = defaultDb()) {
  const userId = input.userId ?? actor.id;
  if (!userId) throw new AppError('INVALID', 'an API token belongs to a user: give userId');
  if (userId !== actor.id) requireRole(actor, 'admin', "creating another user's token");
  const token = generateToken('api');
  const row = await audited(actor, { action: 'api-token.create', objectType: 'api-token', objectId: input.name, params: { name: input.name, userId } }, (tx) =>
    tx.apiToken.create({ data: { name: input.name, prefix: token.slice(0, 12), tokenHash: hashToken(token), userId, expiresAt: input.expiresAt ?? null } }), db);
  return { id: row.id, name: row.name, token };
}
