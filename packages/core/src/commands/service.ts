import { db as defaultDb, type Command, type Db } from '@berth/db';
import { AppError } from '../errors.ts';
import type { SecretBox } from '../registries/secret-box.ts';

/** NOTIFY channel: "new <hostId> <commandId>" and "done <commandId>". */
export const COMMANDS_CHANNEL = 'berth_commands';
/** NOTIFY channel: "disconnect <hostId> <reason>" (revocation reaches every gateway). */
export const HOSTS_CHANNEL = 'berth_hosts';

export async function enqueueCommand(hostId: string, op: string, params: unknown, deadline: Date, db: Db = defaultDb()): Promise<string> {
  return db.$transaction(async (tx) => {
    const c = await tx.command.create({ data: { hostId, op, params: (params ?? {}) as object, deadline } });
    // delivered on commit, to every listening gateway
    await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${`new ${hostId} ${c.id}`})`;
    return c.id;
  });
}

/**
 * Marks the host's deliverable commands sent and returns them: new ones, and ones sent
 * before but never answered (the connection dropped, or its gateway died). `skip` names
 * commands this process has in flight already.
 */
export async function claimCommands(hostId: string, skip: string[], db: Db = defaultDb()): Promise<Command[]> {
  const skipIds = skip.length ? skip : ['00000000-0000-0000-0000-000000000000'];
  return db.$queryRaw<Command[]>`
    UPDATE commands SET status = 'sent', attempts = attempts + 1, sent_at = now()
     WHERE host_id = ${hostId}::uuid AND status IN ('pending', 'sent') AND deadline > now()
       AND id <> ALL(${skipIds}::uuid[])
     RETURNING id, host_id AS "hostId", op, params, status, attempts, result, error, created_at AS "createdAt", sent_at AS "sentAt", finished_at AS "finishedAt", deadline`;
}

export async function completeCommand(id: string, outcome: { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }, db: Db = defaultDb()): Promise<void> {
  await db.$transaction(async (tx) => {
    const n = await tx.command.updateMany({
      where: { id, status: { in: ['pending', 'sent'] } },
      data: outcome.ok ? { status: 'done', result: (outcome.result ?? null) as object, finishedAt: new Date() } : { status: 'failed', error: outcome.error, finishedAt: new Date() },
    });
    if (n.count) await tx.$executeRaw`SELECT pg_notify(${COMMANDS_CHANNEL}, ${`done ${id}`})`;
  });
}

/** Commands past their deadline are expired, so nobody delivers them late. */
export async function expireCommands(db: Db = defaultDb()): Promise<number> {
  const r = await db.command.updateMany({ where: { status: { in: ['pending', 'sent'] }, deadline: { lt: new Date() } }, data: { status: 'expired', finishedAt: new Date() } });
  return r.count;
}

/** Finished commands are kept a day for inspection, then dropped. */
export async function pruneCommands(olderThan = new Date(Date.now() - 24 * 3600_000), db: Db = defaultDb()): Promise<number> {
  const r = await db.command.deleteMany({ where: { status: { in: ['done', 'failed', 'expired'] }, createdAt: { lt: olderThan } } });
  return r.count;
}

/**
 * Params that carry secrets wait in the outbox sealed (AES-GCM under the control plane's key,
 * bound to the host), so the commands table never holds them in the clear; the gateway that
 * delivers the command opens them just before sending.
 */
export function sealCommandParams(box: SecretBox | null, hostId: string, params: unknown): { $sealed: string } {
  if (!box) throw new AppError('HOST_UNAVAILABLE', 'secrets reach a host held by another gateway only through the outbox, sealed, and this control plane has no BERTH_SECRET_KEY_FILE');
  return { $sealed: box.seal(JSON.stringify(params), `command:${hostId}`).toString('base64') };
}

export function openCommandParams(box: SecretBox | null, hostId: string, params: unknown): unknown {
  const sealed = (params as { $sealed?: unknown } | null)?.$sealed;
  if (typeof sealed !== 'string') return params;
  if (!box) throw new AppError('INVALID', 'a sealed command arrived and this gateway has no BERTH_SECRET_KEY_FILE: give every gateway the same key file');
  return JSON.parse(box.open(Buffer.from(sealed, 'base64'), `command:${hostId}`)) as unknown;
}
