import { db as defaultDb, type Db, type Host } from '@berth/db';
import { hashToken } from '@berth/auth';
import { HostInventory, type HostFacts, type HostMetrics } from '@berth/protocol';
import type { Actor } from '../actor.ts';
import { requireHostRole, systemActor, teamWhere, visibleHost } from '../actor.ts';
import { appendAudit, audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';

export const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface HostView {
  id: string;
  name: string;
  status: Host['status'];
  agentVersion: string | null;
  lastSeenAt: Date | null;
  enrolledAt: Date | null;
  facts: HostFacts | null;
  /** the operator's labels, for services' placement constraints (node.labels.KEY) */
  labels: Record<string, string>;
  /** the team that owns it */
  team: { id: string; name: string };
}

type HostWithTeam = Pick<Host, 'id' | 'name' | 'status' | 'agentVersion' | 'lastSeenAt' | 'enrolledAt' | 'facts' | 'labels' | 'teamId'> & { team?: { id: string; name: string } | null };

export const toView = (h: HostWithTeam): HostView => ({
  id: h.id, name: h.name, status: h.status, agentVersion: h.agentVersion, lastSeenAt: h.lastSeenAt, enrolledAt: h.enrolledAt, facts: (h.facts as HostFacts | null) ?? null,
  labels: (h.labels ?? {}) as Record<string, string>,
  team: { id: h.teamId, name: h.team?.name ?? '' },
});
const withTeam = { team: { select: { id: true, name: true } } } as const;
// the view's columns only: a host's stored inventory (every container it reported) is large, and
// reading it for a list of 1,000 hosts moved tens of megabytes per call
const viewSelect = {
  id: true, name: true, status: true, agentVersion: true, lastSeenAt: true, enrolledAt: true, facts: true, labels: true, teamId: true, ...withTeam,
} as const;

const LABEL_KEY = /^[a-zA-Z0-9]([a-zA-Z0-9._/-]{0,126}[a-zA-Z0-9])?$/;

/** `docker node update --label-add/--label-rm`: the labels placement constraints match. */
export async function updateHostLabels(actor: Actor, name: string, change: { add?: Record<string, string>; remove?: string[] }, db: Db = defaultDb()): Promise<HostView> {
  await requireHostRole(actor, name, 'admin', 'labelling a host', db);
  for (const key of [...Object.keys(change.add ?? {}), ...(change.remove ?? [])]) {
    if (!LABEL_KEY.test(key)) throw new AppError('INVALID', `a host label key is letters, digits, . _ / -, at most 128, starting and ending with a letter or digit: "${key}" is not`);
  }
  for (const [k, v] of Object.entries(change.add ?? {})) if (v.length > 256) throw new AppError('INVALID', `the value of label ${k} is longer than 256 characters`);
  return audited(actor, { action: 'host.label', objectType: 'host', objectId: name, params: change }, async (tx) => {
    const h = await visibleHost(actor, name, tx);
    const labels = { ...((h.labels ?? {}) as Record<string, string>) };
    for (const k of change.remove ?? []) {
      if (!(k in labels)) throw new AppError('NOT_FOUND', `host ${name} has no label ${k}`);
      delete labels[k];
    }
    Object.assign(labels, change.add ?? {});
    return toView(await tx.host.update({ where: { id: h.id }, data: { labels }, select: viewSelect }));
  }, db);
}

/** The hosts of the teams the actor sees (every host for a site role). */
export async function listHosts(actor: Actor, db: Db = defaultDb()): Promise<HostView[]> {
  return (await db.host.findMany({ where: teamWhere(actor), orderBy: { name: 'asc' }, select: viewSelect })).map(toView);
}

/** A host by name or id; one of a team the actor does not see is answered exactly as an unknown one. */
export async function getHost(actor: Actor, nameOrId: string, db: Db = defaultDb()): Promise<HostView> {
  return toView(await visibleHost(actor, nameOrId, db));
}

export type EnrollResult = { ok: true; host: Host } | { ok: false; code: 'bad_join_token' | 'name_taken' | 'revoked'; message: string };

/**
 * First contact of an agent: consumes one use of a join token and binds the agent's
 * public key to a host, in one transaction with its audit entry.
 */
export async function enrollHost(input: { joinToken: string; hostName: string; publicKey: string; agentVersion: string; remoteAddr: string | null }, db: Db = defaultDb()): Promise<EnrollResult> {
  const actor: Actor = { ...systemActor(`agent:${input.hostName}`), remoteAddr: input.remoteAddr };
  return db.$transaction(async (tx) => {
    // the row lock makes two agents racing for the last use of a token take turns
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM join_tokens WHERE token_hash = ${hashToken(input.joinToken)} FOR UPDATE`;
    const jt = rows[0] ? await tx.joinToken.findUnique({ where: { id: rows[0].id } }) : null;
    const refuse = async (code: 'bad_join_token' | 'name_taken' | 'revoked', message: string): Promise<EnrollResult> => {
      await appendAudit(tx, actor, { action: 'host.enroll', objectType: 'host', objectId: input.hostName, outcome: 'refused', error: message });
      return { ok: false, code, message };
    };
    if (!jt || jt.revokedAt) return refuse('bad_join_token', 'the join token is unknown or revoked: create a new one with `berth host join-token`');
    if (jt.expiresAt < new Date()) return refuse('bad_join_token', 'the join token has expired: create a new one with `berth host join-token`');
    if (jt.uses >= jt.maxUses) return refuse('bad_join_token', 'the join token has been used up: create a new one with `berth host join-token`');
    const name = jt.hostName ?? input.hostName;
    if (!HOST_NAME.test(name)) return refuse('bad_join_token', `host name ${JSON.stringify(name)} is not valid: use lower-case letters, digits and -`);
    const existing = await tx.host.findUnique({ where: { name } });
    if (existing?.revokedAt) return refuse('revoked', `host ${name} was revoked: remove it first with \`berth host rm ${name}\``);
    if (existing?.publicKey && existing.publicKey !== input.publicKey) return refuse('name_taken', `a host named ${name} is enrolled already with another key: choose another name or remove it first`);
    await tx.joinToken.update({ where: { id: jt.id }, data: { uses: { increment: 1 } } });
    const now = new Date();
    const host = existing
      ? await tx.host.update({ where: { id: existing.id }, data: { publicKey: input.publicKey, agentVersion: input.agentVersion, enrolledAt: existing.enrolledAt ?? now } })
      : await tx.host.create({ data: { name, publicKey: input.publicKey, agentVersion: input.agentVersion, enrolledAt: now, status: 'pending', teamId: jt.teamId } });
    await appendAudit(tx, actor, { action: 'host.enroll', hostId: host.id, objectType: 'host', objectId: name, params: { joinTokenId: jt.id }, outcome: 'ok' });
    return { ok: true, host };
  });
}

/** The enrolled, unrevoked host that owns this key, if any. */
export async function hostForKey(publicKey: string, db: Db = defaultDb()): Promise<Host | null> {
  return db.host.findUnique({ where: { publicKey } });
}

export async function setHostStatus(hostId: string, status: 'online' | 'degraded' | 'offline', fields: { agentVersion?: string } = {}, db: Db = defaultDb()): Promise<void> {
  await db.host.updateMany({ where: { id: hostId, revokedAt: null }, data: { status, ...(status !== 'offline' ? { lastSeenAt: new Date() } : {}), ...fields } });
}

/** The agent's report on connect and after changes: its facts and, from protocol 1.1, what it holds. */
export async function recordInventory(hostId: string, facts: HostFacts, db: Db = defaultDb(), inventory?: HostInventory): Promise<void> {
  const now = new Date();
  await db.host.update({
    where: { id: hostId },
    data: { facts: facts as object, agentVersion: facts.agentVersion, lastSeenAt: now, ...(inventory ? { inventory: inventory as object, inventoryAt: now } : {}) },
  });
}

/** The last inventory a host reported, and when: what the control plane shows while the host is away. */
export async function lastInventory(hostId: string, db: Db = defaultDb()): Promise<{ inventory: HostInventory; at: Date } | null> {
  const h = await db.host.findUnique({ where: { id: hostId }, select: { inventory: true, inventoryAt: true } });
  if (!h?.inventory || !h.inventoryAt) return null;
  const parsed = HostInventory.safeParse(h.inventory);
  return parsed.success ? { inventory: parsed.data, at: h.inventoryAt } : null;
}

export async function recordHeartbeat(hostId: string, _metrics: HostMetrics, db: Db = defaultDb()): Promise<void> {
  await db.host.updateMany({ where: { id: hostId, revokedAt: null }, data: { lastSeenAt: new Date(), status: 'online' } });
}

/** Revokes a host's key: a site admin, or an admin of the host's team. */
export async function revokeHost(actor: Actor, name: string, db: Db = defaultDb()): Promise<HostView> {
  await requireHostRole(actor, name, 'admin', 'revoking a host', db);
  return audited(actor, { action: 'host.revoke', objectType: 'host', objectId: name }, async (tx) => {
    const h = await visibleHost(actor, name, tx);
    return toView(await tx.host.update({ where: { id: h.id }, data: { revokedAt: new Date(), status: 'revoked' }, include: withTeam }));
  }, db);
}

/** Forgets a host: a site admin, or an admin of the host's team. */
export async function removeHost(actor: Actor, name: string, db: Db = defaultDb()): Promise<void> {
  await requireHostRole(actor, name, 'admin', 'removing a host', db);
  await audited(actor, { action: 'host.remove', objectType: 'host', objectId: name }, async (tx) => {
    const h = await visibleHost(actor, name, tx);
    await tx.host.delete({ where: { id: h.id } });
  }, db);
}
