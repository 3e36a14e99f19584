import { db as defaultDb, Prisma, type Db, type Role, type TeamRole } from '@berth/db';
import { generatePassword, generateToken, hashPassword, hashToken, needsRehash, verifyPassword } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { rankOf, requireRole, siteRole, systemActor } from '../actor.ts';
import { appendAudit, audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { signInLimiter, type SignInLimiter } from './sign-in-limiter.ts';

export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;
export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const MIN_PASSWORD = 8;

// Checked when the user does not exist, so that a wrong name costs as long as a wrong password.
let dummyHash: Promise<string> | undefined;
const unknownUserHash = () => (dummyHash ??= hashPassword(generatePassword()));

/** On first start: creates `admin` (a site admin) with a random password, and returns it once. */
export async function ensureFirstAdmin(db: Db = defaultDb()): Promise<{ username: string; password: string } | null> {
  if ((await db.user.count()) > 0) return null;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await audited(systemActor(), { action: 'user.create', objectType: 'user', objectId: 'admin', params: { username: 'admin', role: 'admin' } }, (tx) =>
    tx.user.create({ data: { username: 'admin', passwordHash, role: 'admin' } }), db);
  return { username: 'admin', password };
}

export function checkNewCredentials(username: string, password: string): void {
  if (!USERNAME.test(username)) throw new AppError('INVALID', `user name ${JSON.stringify(username)} is not valid: use lower-case letters, digits, . _ and -, starting with a letter or digit (at most 63)`);
  if (password.length < MIN_PASSWORD) throw new AppError('INVALID', `the password is too short: use at least ${MIN_PASSWORD} characters`);
}

export interface UserView {
  id: string;
  username: string;
  role: Role | null;
  createdAt: Date;
  teams: { id: string; name: string; role: TeamRole }[];
}

/** Creates a user with a site role (null: none, only team memberships) and optionally a first membership. */
export async function createUser(actor: Actor, input: { username: string; password: string; role: Role | null; team?: { id: string; role: TeamRole } }, db: Db = defaultDb()) {
  requireRole(actor, 'admin', 'creating a user');
  checkNewCredentials(input.username, input.password);
  const passwordHash = await hashPassword(input.password);
  return audited(actor, { action: 'user.create', objectType: 'user', objectId: input.username, params: { username: input.username, role: input.role, team: input.team ?? null } }, async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username } })) throw new AppError('CONFLICT', `a user named ${input.username} exists already: choose another name`);
    const u = await tx.user.create({ data: { username: input.username, passwordHash, role: input.role } });
    if (input.team) await tx.membership.create({ data: { userId: u.id, teamId: input.team.id, role: input.team.role } });
    return { id: u.id, username: u.username, role: u.role };
  }, db);
}

export async function listUsers(actor: Actor, db: Db = defaultDb()): Promise<UserView[]> {
  requireRole(actor, 'admin', 'listing users');
  const users = await db.user.findMany({ orderBy: { username: 'asc' }, include: { memberships: { include: { team: true } } } });
  return users.map((u) => ({
    id: u.id, username: u.username, role: u.role, createdAt: u.createdAt,
    teams: u.memberships.map((m) => ({ id: m.teamId, name: m.team.name, role: m.role })).sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

async function userByName(tx: Pick<Db, 'user'>, username: string) {
  const u = await tx.user.findUnique({ where: { username } });
  if (!u) throw new AppError('NOT_FOUND', `no user named ${username}: \`berth user ls\` lists them`);
  return u;
}

/** The site admins other than `userId`: there must stay one, or nobody could manage users again. */
async function otherSiteAdmins(tx: Pick<Db, 'user'>, userId: string): Promise<number> {
  return tx.user.count({ where: { role: 'admin', id: { not: userId } } });
}

export async function setSiteRole(actor: Actor, username: string, role: Role | null, db: Db = defaultDb()) {
  requireRole(actor, 'admin', "changing a user's site role");
  return audited(actor, { action: 'user.set-role', objectType: 'user', objectId: username, params: { role } }, async (tx) => {
    const u = await userByName(tx, username);
    if (u.role === 'admin' && role !== 'admin' && (await otherSiteAdmins(tx, u.id)) === 0) throw new AppError('CONFLICT', `${username} is the last site admin: make another user a site admin first`);
    const updated = await tx.user.update({ where: { id: u.id }, data: { role } });
    return { id: updated.id, username: updated.username, role: updated.role };
  }, db);
}

export async function removeUser(actor: Actor, username: string, db: Db = defaultDb()): Promise<void> {
  requireRole(actor, 'admin', 'removing a user');
  await audited(actor, { action: 'user.remove', objectType: 'user', objectId: username }, async (tx) => {
    const u = await userByName(tx, username);
    if (u.id === actor.id) throw new AppError('CONFLICT', 'you cannot remove yourself: ask another site admin');
    if (u.role === 'admin' && (await otherSiteAdmins(tx, u.id)) === 0) throw new AppError('CONFLICT', `${username} is the last site admin: make another user a site admin first`);
    // a team must keep an owner: refuse rather than leave one nobody can manage
    for (const m of await tx.membership.findMany({ where: { userId: u.id, role: 'owner' }, include: { team: true } })) {
      if ((await tx.membership.count({ where: { teamId: m.teamId, role: 'owner', userId: { not: u.id } } })) === 0) {
        throw new AppError('CONFLICT', `${username} is the last owner of team ${m.team.name}: make another member an owner first`);
      }
    }
    await tx.user.delete({ where: { id: u.id } });
  }, db);
}

/** Checks a password and opens a session; the returned token goes in the cookie. */
export async function login(input: { username: string; password: string; remoteAddr: string | null; source: Actor['source'] }, db: Db = defaultDb(), limiter: SignInLimiter = signInLimiter) {
  const actor: Actor = { kind: 'user', id: null, name: input.username, role: null, source: input.source, remoteAddr: input.remoteAddr };
  const blocked = limiter.blocked(input.username, input.remoteAddr);
  if (blocked) {
    const error = `too many failed sign-ins for ${blocked.what}: wait ${blocked.waitSeconds} s`;
    await db.$transaction((tx) => appendAudit(tx, actor, { action: 'auth.login', params: { username: input.username }, outcome: 'refused', error }));
    throw new AppError('TOO_MANY_REQUESTS', error, { waitSeconds: blocked.waitSeconds });
  }
  const user = await db.user.findUnique({ where: { username: input.username } });
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyPassword(input.password, await unknownUserHash());
  if (!user || !ok) {
    limiter.fail(input.username, input.remoteAddr);
    await db.$transaction((tx) => appendAudit(tx, { ...actor, id: user?.id ?? null }, { action: 'auth.login', params: { username: input.username }, outcome: 'refused', error: 'wrong username or password' }));
    throw new AppError('UNAUTHORIZED', 'wrong username or password');
  }
  limiter.succeed(input.username, input.remoteAddr);
  const rehashed = await rehashIfOutdated(db, user, input.password);
  const token = await openSession(db, user.id);
  await db.$transaction((tx) => appendAudit(tx, { ...actor, id: user.id, role: user.role }, { action: 'auth.login', objectType: 'user', objectId: user.username, ...(rehashed ? { params: { rehashed: 'argon2id' } } : {}), outcome: 'ok' }));
  return { token, user: { id: user.id, username: user.username, role: user.role } };
}

/**
 * Replaces a legacy (scrypt) or weaker argon2id hash by a current one, now that the password is
 * known to be right: hashes migrate on each user's next sign-in, with no flag day. The update
 * matches the old hash, so a password changed meanwhile is not overwritten.
 */
async function rehashIfOutdated(db: Pick<Db, 'user'>, user: { id: string; passwordHash: string }, password: string): Promise<boolean> {
  if (!needsRehash(user.passwordHash)) return false;
  const passwordHash = await hashPassword(password);
  const r = await db.user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash } });
  return r.count === 1;
}

/** A new session for the user; the token goes in the cookie. */
export async function openSession(db: Pick<Db, 'session'>, userId: string): Promise<string> {
  const token = generateToken('session');
  await db.session.create({ data: { tokenHash: hashToken(token), userId, expiresAt: new Date(Date.now() + SESSION_TTL_MS) } });
  return token;
}

export async function logout(token: string, db: Db = defaultDb()): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** Ends every session of the actor's user, on every browser (API tokens stay: revoke those one by one). */
export async function logoutEverywhere(actor: Actor, db: Db = defaultDb()): Promise<{ sessions: number }> {
  if (!actor.id) throw new AppError('INVALID', 'signing out everywhere is for users');
  return audited(actor, { action: 'auth.logout-everywhere', objectType: 'user', objectId: actor.name }, async (tx) => {
    const r = await tx.session.deleteMany({ where: { userId: actor.id! } });
    return { sessions: r.count };
  }, db);
}

/** A user's memberships as [team id, role] pairs, as a column of a statement that reads `users u`. */
const TEAMS_OF_U = Prisma.sql`COALESCE((SELECT json_agg(json_build_array(m.team_id::text, m.role::text)) FROM memberships m WHERE m.user_id = u.id), '[]'::json) AS teams`;

interface UserWithTeams {
  id: string;
  username: string;
  role: Role | null;
  teams: [string, TeamRole][];
}

/**
 * A live session's user with its memberships, in one statement: every dashboard request starts
 * with it, and three round trips one after another (session, user, memberships) were a tenth of
 * a filter change's time.
 */
async function sessionUser(db: Db, tokenHash: string, now: Date): Promise<UserWithTeams | null> {
  const rows = await db.$queryRaw<UserWithTeams[]>`
    SELECT u.id::text AS id, u.username, u.role::text AS role, ${TEAMS_OF_U}
      FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ${tokenHash} AND s.expires_at >= ${now}`;
  return rows[0] ?? null;
}

type TokenUser = UserWithTeams & { tokenId: string; scope: Role | null; lastUsedAt: Date | null };

/** A live API token (not revoked, not expired) with its user and the user's memberships, in one statement, as sessionUser. */
async function tokenUser(db: Db, tokenHash: string, now: Date): Promise<TokenUser | null> {
  const rows = await db.$queryRaw<TokenUser[]>`
    SELECT t.id::text AS "tokenId", t.scope::text AS scope, t.last_used_at AS "lastUsedAt",
           u.id::text AS id, u.username, u.role::text AS role, ${TEAMS_OF_U}
      FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = ${tokenHash} AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at >= ${now})`;
  return rows[0] ?? null;
}

/** The actor behind a session cookie or an API token, or null when it is unknown, expired or revoked. */
export async function actorForToken(token: string, ctx: { remoteAddr: string | null; source: Actor['source'] }, db: Db = defaultDb()): Promise<Actor | null> {
  const tokenHash = hashToken(token);
  const now = new Date();
  if (token.startsWith('bs_')) {
    const u = await sessionUser(db, tokenHash, now);
    if (!u) return null;
    return { kind: 'user', id: u.id, name: u.username, role: u.role, teams: Object.fromEntries(u.teams), scope: null, source: ctx.source, remoteAddr: ctx.remoteAddr };
  }
  if (token.startsWith('berth_')) {
    const t = await tokenUser(db, tokenHash, now);
    if (!t) return null;
    // lastUsedAt is a hint for the token list, not worth a write on every call
    if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > 60_000) await db.apiToken.update({ where: { id: t.tokenId }, data: { lastUsedAt: now } });
    return { kind: 'user', id: t.id, name: t.username, role: t.role, teams: Object.fromEntries(t.teams), scope: t.scope, source: ctx.source === 'web' ? 'api' : ctx.source, remoteAddr: ctx.remoteAddr };
  }
  return null;
}

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  username: string;
  scope: Role | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/**
 * A personal API token. `scope` caps what it may do (null: all its user may); a token made
 * through a scoped token is never wider than that token.
 */
export async function createApiToken(actor: Actor, input: { name: string; userId?: string; expiresAt?: Date; scope?: Role | null }, db: Db = defaultDb()) {
  const userId = input.userId ?? actor.id;
  if (!userId) throw new AppError('INVALID', 'an API token belongs to a user: give userId');
  if (userId !== actor.id) requireRole(actor, 'admin', "creating another user's token");
  let scope = input.scope ?? null;
  if (actor.scope && (scope === null || rankOf(scope) > rankOf(actor.scope))) scope = actor.scope;
  const token = generateToken('api');
  const row = await audited(actor, { action: 'api-token.create', objectType: 'api-token', objectId: input.name, params: { name: input.name, userId, scope, expiresAt: input.expiresAt ?? null } }, (tx) =>
    tx.apiToken.create({ data: { name: input.name, prefix: token.slice(0, 12), tokenHash: hashToken(token), userId, expiresAt: input.expiresAt ?? null, scope } }), db);
  return { id: row.id, name: row.name, token, scope: row.scope, expiresAt: row.expiresAt, prefix: row.prefix };
}

/** The actor's own tokens; a site admin with `all` sees everybody's. Never the secret, only its prefix. */
export async function listApiTokens(actor: Actor, opts: { all?: boolean } = {}, db: Db = defaultDb()): Promise<ApiTokenView[]> {
  if (opts.all) requireRole(actor, 'admin', "listing other users' API tokens");
  else if (!actor.id) return [];
  const rows = await db.apiToken.findMany({ where: opts.all ? {} : { userId: actor.id! }, include: { user: { select: { username: true } } }, orderBy: { createdAt: 'desc' } });
  return rows.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, username: t.user.username, scope: t.scope, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt }));
}

/** Revokes a token by id, name or prefix: one's own, or as a site admin anyone's. */
export async function revokeApiToken(actor: Actor, ref: string, db: Db = defaultDb()): Promise<ApiTokenView> {
  const isAdmin = siteRole(actor) === 'admin';
  return audited(actor, { action: 'api-token.revoke', objectType: 'api-token', objectId: ref }, async (tx) => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
    const mine = isAdmin ? {} : { userId: actor.id ?? '00000000-0000-0000-0000-000000000000' };
    const matches = await tx.apiToken.findMany({ where: { ...mine, revokedAt: null, OR: [...(uuid ? [{ id: ref }] : []), { name: ref }, { prefix: ref }] }, include: { user: { select: { username: true } } } });
    if (matches.length === 0) throw new AppError('NOT_FOUND', `no live API token ${ref} of yours: \`berth token ls\` lists them`);
    if (matches.length > 1) throw new AppError('CONFLICT', `${matches.length} tokens match ${ref}: name it by its id or prefix`);
    const t = await tx.apiToken.update({ where: { id: matches[0]!.id }, data: { revokedAt: new Date() } });
    return { id: t.id, name: t.name, prefix: t.prefix, username: matches[0]!.user.username, scope: t.scope, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt };
  }, db);
}
