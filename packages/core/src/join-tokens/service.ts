import { db as defaultDb, type Db } from '@berth/db';
import { generateToken, hashToken } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { requireRoleSomewhere } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { DEFAULT_TEAM, teamForNew } from '../teams/service.ts';

export interface JoinTokenInput {
  hostName?: string;
  maxUses?: number;
  ttlSeconds?: number;
  /** the team the enrolled host joins (name or id); see teamForNew when absent */
  team?: string;
}

/** A secret an agent presents once to enroll; only its hash is kept. Site admins and team admins (for their team). */
export async function createJoinToken(actor: Actor, input: JoinTokenInput, db: Db = defaultDb()) {
  requireRoleSomewhere(actor, 'admin', 'creating a join token');
  // a site role's host joins `default` unless told; a team admin's its one team
  const team = await teamForNew(actor, input.team, { role: 'admin', what: 'creating a join token', siteDefault: DEFAULT_TEAM }, db);
  const token = generateToken('join');
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? 3600) * 1000);
  const row = await audited(actor, { action: 'join-token.create', objectType: 'join-token', params: { ...input, team: team.name } }, (tx) =>
    tx.joinToken.create({ data: { tokenHash: hashToken(token), hostName: input.hostName ?? null, maxUses: input.maxUses ?? 1, expiresAt, createdById: actor.id, teamId: team.id } }), db);
  return { id: row.id, token, expiresAt, maxUses: row.maxUses, hostName: row.hostName, team: team.name };
}
