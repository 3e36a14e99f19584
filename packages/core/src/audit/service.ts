import { db as defaultDb, type Db } from '@berth/db';
import { byNameOrId, type Actor } from '../actor.ts';
import { entryHash, GENESIS } from './hash.ts';
import { redact } from './redact.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface AuditInput {
  action: string;
  hostId?: string | null;
  /** the team of the object it is about (a service's, a secret's): its members may read it */
  teamId?: string | null;
  objectType?: string | null;
  objectId?: string | null;
  params?: unknown;
  outcome: 'ok' | 'error' | 'refused';
  error?: string | null;
}

// Serialises appends so that each entry chains onto the true latest one.
const AUDIT_LOCK = 0x61756474; // "audt"

/** Appends one entry, inside the caller's transaction when it has one. */
export async function appendAudit(tx: Tx, actor: Actor, input: AuditInput): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`;
  const last = await tx.auditEntry.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS;
  const fields = {
    at: new Date(),
    actorId: actor.id,
    actorName: actor.name,
    source: actor.source,
    remoteAddr: actor.remoteAddr,
    action: input.action,
    hostId: input.hostId ?? null,
    teamId: input.teamId ?? null,
    objectType: input.objectType ?? null,
    objectId: input.objectId ?? null,
    params: (redact(input.params ?? {}) ?? {}) as object,
    outcome: input.outcome,
    error: input.error ?? null,
  };
  await tx.auditEntry.create({ data: { ...fields, prevHash, hash: entryHash(prevHash, fields) } });
}

/** Runs `change` and records it in one transaction; a failure is recorded on its own. */
export async function audited<T>(actor: Actor, input: Omit<AuditInput, 'outcome'>, change: (tx: Tx) => Promise<T>, db: Db = defaultDb()): Promise<T> {
  try {
    return await db.$transaction(async (tx) => {
      const result = await change(tx);
      await appendAudit(tx, actor, { ...input, outcome: 'ok' });
      return result;
    });
  } catch (err) {
    await db.$transaction((tx) => appendAudit(tx, actor, { ...input, outcome: 'error', error: (err as Error).message })).catch(() => {});
    throw err;
  }
}

/**
 * Records an attempt refused for want of a role (FORBIDDEN), which no audited() change records
 * since the check comes before the change: an operator wants to see denied attempts. The entry
 * carries the host the attempt named, when there is one, so the host filter and that host's
 * team find it. Never throws: the refusal is what the caller must see.
 */
export async function auditRefusal(actor: Actor, input: { action: string; hostRef?: string | null; error: string }, db: Db = defaultDb()): Promise<void> {
  try {
    const ref = input.hostRef;
    const host = ref ? await db.host.findFirst({ where: byNameOrId(ref), select: { id: true } }) : null;
    await db.$transaction((tx) => appendAudit(tx, actor, { action: input.action, hostId: host?.id ?? null, params: ref && !host ? { host: ref } : {}, outcome: 'refused', error: input.error }));
  } catch {
    // an audit write that fails must not turn a 403 into a 500
  }
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** the first entry whose hash or link does not match, with what is wrong */
  problem?: { id: string; reason: string };
}

/** Walks the chain from the start; a changed, removed or reordered entry breaks it. */
export async function verifyAudit(db: Db = defaultDb()): Promise<AuditVerification> {
  let prev = GENESIS;
  let checked = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const page = await db.auditEntry.findMany({ orderBy: { id: 'asc' }, take: 1000, ...(cursor !== undefined ? { cursor: { id: cursor }, skip: 1 } : {}) });
    for (const e of page) {
      if (e.prevHash !== prev) return { ok: false, checked, problem: { id: e.id.toString(), reason: 'its link to the previous entry is broken: an entry before it was removed or changed' } };
      const { id: _id, hash: _hash, prevHash: _prev, ...fields } = e;
      const want = entryHash(prev, fields);
      if (want !== e.hash) return { ok: false, checked, problem: { id: e.id.toString(), reason: 'its content does not match its hash: the entry was changed' } };
      prev = e.hash;
      checked++;
    }
    if (page.length < 1000) return { ok: true, checked };
    cursor = page[page.length - 1]!.id;
  }
}
