import { db as defaultDb, type Db, type TeamRole } from '@berth/db';
import { generateToken, hashPassword, hashToken } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { rankOf, requireTeamRole } from '../actor.ts';
import { appendAudit, audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { checkNewCredentials, openSession } from '../users/service.ts';
import { visibleTeam } from './service.ts';

export const INVITATION_TTL_DEFAULT_S = 7 * 86400;

export interface InvitationView {
  id: string;
  team: string;
  role: TeamRole;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  /** pending, accepted, revoked or expired */
  state: 'pending' | 'accepted' | 'revoked' | 'expired';
}

const stateOf = (i: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }): InvitationView['state'] =>
  i.acceptedAt ? 'accepted' : i.revokedAt ? 'revoked' : i.expiresAt < new Date() ? 'expired' : 'pending';

/**
 * A one-time link token (`bi_…`) that makes its holder a member of the team with `role`. Team
 * admins invite; only owners (or site admins) invite owners. Only the token's hash is kept: it
 * is shown once.
 */
export async function createInvitation(actor: Actor, input: { team: string; role: TeamRole; ttlSeconds?: number }, db: Db = defaultDb()) {
  const token = generateToken('invitation');
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? INVITATION_TTL_DEFAULT_S) * 1000);
  return audited(actor, { action: 'invitation.create', objectType: 'team', objectId: input.team, params: { role: input.role, expiresAt } }, async (tx) => {
    const team = await visibleTeam(actor, input.team, tx);
    requireTeamRole(actor, team.id, input.role === 'owner' ? 'owner' : 'admin', 'inviting to a team', team.name);
    const i = await tx.invitation.create({ data: { teamId: team.id, role: input.role, tokenHash: hashToken(token), createdBy: actor.id, expiresAt } });
    return { id: i.id, team: team.name, role: i.role, expiresAt: i.expiresAt, token };
  }, db);
}

export async function listInvitations(actor: Actor, teamRef: string, db: Db = defaultDb()): Promise<InvitationView[]> {
  const team = await visibleTeam(actor, teamRef, db);
  requireTeamRole(actor, team.id, 'admin', "listing a team's invitations", team.name);
  const rows = await db.invitation.findMany({ where: { teamId: team.id }, orderBy: { createdAt: 'desc' }, take: 200 });
  return rows.map((i) => ({ id: i.id, team: team.name, role: i.role, createdAt: i.createdAt, expiresAt: i.expiresAt, acceptedAt: i.acceptedAt, revokedAt: i.revokedAt, state: stateOf(i) }));
}

export async function revokeInvitation(actor: Actor, id: string, db: Db = defaultDb()): Promise<InvitationView> {
  return audited(actor, { action: 'invitation.revoke', objectType: 'invitation', objectId: id }, async (tx) => {
    const i = await tx.invitation.findUnique({ where: { id }, include: { team: true } });
    const teams = i ? await visibleTeam(actor, i.teamId, tx).catch(() => null) : null;
    if (!i || !teams) throw new AppError('NOT_FOUND', `no invitation ${id}: \`berth team invite ls TEAM\` lists them`);
    requireTeamRole(actor, i.teamId, 'admin', 'revoking an invitation', i.team.name);
    const state = stateOf(i);
    if (state !== 'pending') throw new AppError('CONFLICT', `the invitation is ${state} already: nothing to revoke`);
    const u = await tx.invitation.update({ where: { id }, data: { revokedAt: new Date() } });
    return { id: u.id, team: i.team.name, role: u.role, createdAt: u.createdAt, expiresAt: u.expiresAt, acceptedAt: u.acceptedAt, revokedAt: u.revokedAt, state: stateOf(u) };
  }, db);
}

/** What an invitation link offers, for the page that accepts it (the token is the secret). */
export async function previewInvitation(token: string, db: Db = defaultDb()): Promise<{ team: string; role: TeamRole; expiresAt: Date }> {
  const i = await db.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { team: true } });
  refuseUnusable(i);
  return { team: i!.team.name, role: i!.role, expiresAt: i!.expiresAt };
}

function refuseUnusable(i: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date } | null): void {
  if (!i) throw new AppError('NOT_FOUND', 'this invitation link is not valid: ask a team admin for a new one');
  const state = stateOf(i);
  if (state === 'accepted') throw new AppError('CONFLICT', 'this invitation has been used already: ask a team admin for a new one');
  if (state === 'revoked') throw new AppError('CONFLICT', 'this invitation was revoked: ask a team admin for a new one');
  if (state === 'expired') throw new AppError('CONFLICT', `this invitation expired on ${i.expiresAt.toISOString()}: ask a team admin for a new one`);
}

export type AcceptInput =
  | { token: string; actor: Actor; remoteAddr: string | null; source: Actor['source'] }
  | { token: string; username: string; password: string; remoteAddr: string | null; source: Actor['source'] };

/**
 * Accepts an invitation: for a signed-in user, adds the membership (raising a lower one); for
 * somebody new, creates the user with the membership and opens a session (the returned token).
 * One transaction: the invitation is used once, even by two tabs at the same time.
 */
export async function acceptInvitation(input: AcceptInput, db: Db = defaultDb()): Promise<{ team: string; role: TeamRole; username: string; sessionToken: string | null }> {
  const newUser = 'username' in input;
  if (newUser) checkNewCredentials(input.username, input.password);
  const passwordHash = newUser ? await hashPassword(input.password) : null;
  const name = newUser ? input.username : input.actor.name;
  const actor: Actor = newUser ? { kind: 'user', id: null, name, role: null, source: input.source, remoteAddr: input.remoteAddr } : input.actor;
  const refused = async (err: unknown) => {
    await db.$transaction((tx) => appendAudit(tx, actor, { action: 'invitation.accept', objectType: 'invitation', objectId: null, params: { username: name }, outcome: 'refused', error: (err as Error).message })).catch(() => {});
    throw err;
  };
  try {
    return await db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM invitations WHERE token_hash = ${hashToken(input.token)} FOR UPDATE`;
      const i = rows[0] ? await tx.invitation.findUnique({ where: { id: rows[0].id }, include: { team: true } }) : null;
      refuseUnusable(i);
      const inv = i!;
      let userId: string;
      if (newUser) {
        if (await tx.user.findUnique({ where: { username: input.username } })) throw new AppError('CONFLICT', `a user named ${input.username} exists already: choose another name, or sign in first and open the link again`);
        const u = await tx.user.create({ data: { username: input.username, passwordHash: passwordHash!, role: null } });
        userId = u.id;
        await tx.membership.create({ data: { userId, teamId: inv.teamId, role: inv.role } });
      } else {
        if (!input.actor.id) throw new AppError('INVALID', 'an invitation is accepted by a user');
        userId = input.actor.id;
        const m = await tx.membership.findUnique({ where: { userId_teamId: { userId, teamId: inv.teamId } } });
        if (!m) await tx.membership.create({ data: { userId, teamId: inv.teamId, role: inv.role } });
        else if (rankOf(m.role) < rankOf(inv.role)) await tx.membership.update({ where: { userId_teamId: { userId, teamId: inv.teamId } }, data: { role: inv.role } });
      }
      await tx.invitation.update({ where: { id: inv.id }, data: { acceptedAt: new Date(), acceptedBy: userId } });
      const sessionToken = newUser ? await openSession(tx, userId) : null;
      await appendAudit(tx, { ...actor, id: userId }, { action: 'invitation.accept', objectType: 'team', objectId: inv.team.name, params: { invitation: inv.id, role: inv.role, username: name, newUser }, outcome: 'ok' });
      return { team: inv.team.name, role: inv.role, username: name, sessionToken };
    });
  } catch (err) {
    return refused(err);
  }
}
