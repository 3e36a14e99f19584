import { db as defaultDb, type Db } from '@berth/db';
import { generateToken, hashToken } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { rankOf, requireRoleSomewhere, requireTeamRole, roleOnTeam, visibleTeamIds } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { DEFAULT_TEAM, visibleTeam } from '../teams/service.ts';

export interface JoinTokenInput {
  hostName?: string;
  maxUses?: number;
  ttlSeconds?: number;
  /** the team the enrolled host joins (name or id); see teamForEnrollment when absent */
  team?: string;
}

/**
 * The team a new host joins when the token names none: the default team for a site role, the
 * one team a team admin administers; anything else must say which.
 */
async function teamForEnrollment(actor: Actor, ref: string | undefined, db: Db) {
  if (ref) return visibleTeam(actor, ref, db);
  const ids = visibleTeamIds(actor);
  if (!ids) return visibleTeam(actor, DEFAULT_TEAM, db).catch(() => {
    throw new AppError('INVALID', `there is no team named ${DEFAULT_TEAM}: name the team the host joins (--team)`);
  });
  const admin = ids.filter((id) => rankOf(roleOnTeam(actor, id)) >= rankOf('admin'));
  if (admin.length === 1) return visibleTeam(actor, admin[0]!, db);
  throw new AppError('INVALID', 'name the team the host joins (--team): you administer more than one team');
}

/** A secret an agent presents once to enroll; only its hash is kept. Site admins and team admins (for their team). */
export async function createJoinToken(actor: Actor, input: JoinTokenInput, db: Db = defaultDb()) {
  requireRoleSomewhere(actor, 'admin', 'creating a join token');
  const team = await teamForEnrollment(actor, input.team, db);
  requireTeamRole(actor, team.id, 'admin', 'creating a join token', team.name);
  const token = generateToken('join');
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? 3600) * 1000);
  const row = await audited(actor, { action: 'join-token.create', objectType: 'join-token', params: { ...input, team: team.name } }, (tx) =>
    tx.joinToken.create({ data: { tokenHash: hashToken(token), hostName: input.hostName ?? null, maxUses: input.maxUses ?? 1, expiresAt, createdById: actor.id, teamId: team.id } }), db);
  return { id: row.id, token, expiresAt, maxUses: row.maxUses, hostName: row.hostName, team: team.name };
}
