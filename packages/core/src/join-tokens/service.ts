import { db as defaultDb, type Db } from '@berth/db';
import { generateToken, hashToken } from '@berth/auth';
import type { Actor } from '../actor.ts';
import { requireRole } from '../actor.ts';
import { audited } from '../audit/service.ts';

export interface JoinTokenInput {
  hostName?: string;
  maxUses?: number;
  ttlSeconds?: number;
}

/** A secret an agent presents once to enroll; only its hash is kept. */
export async function createJoinToken(actor: Actor, input: JoinTokenInput, db: Db = defaultDb()) {
  requireRole(actor, 'admin', 'creating a join token');
  const token = generateToken('join');
  const expiresAt = new Date(Date.now() + (input.ttlSeconds ?? 3600) * 1000);
  const row = await audited(actor, { action: 'join-token.create', objectType: 'join-token', params: input }, (tx) =>
    tx.joinToken.create({ data: { tokenHash: hashToken(token), hostName: input.hostName ?? null, maxUses: input.maxUses ?? 1, expiresAt, createdById: actor.id } }), db);
  return { id: row.id, token, expiresAt, maxUses: row.maxUses, hostName: row.hostName };
}
