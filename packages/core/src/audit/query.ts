// Reading the audit log: the filters the dashboard, the CLI and the CSV export share, newest
// first, a page at a time by id (ids only grow, so "older than id N" is a stable cursor).
import { db as defaultDb, type Db, type Prisma } from '@berth/db';
import { siteRole, visibleTeamIds, type Actor } from '../actor.ts';

export interface AuditFilter {
  /** The actor's name as recorded (any case). */
  user?: string;
  /** A host by name: entries about it (by id), and entries naming it as their object (its enrollment, its removal). */
  host?: string;
  /** A prefix of the action: `container.` for every container action, `auth.login` for one. */
  action?: string;
  outcome?: 'ok' | 'error' | 'refused';
  /** From this instant, included. */
  from?: Date;
  /** Up to this instant, excluded. */
  to?: Date;
  /** Only what this actor may read (see visibleEntries); absent: everything (internal callers). */
  viewer?: Actor;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorName: string;
  source: string;
  remoteAddr: string | null;
  action: string;
  hostName: string | null;
  objectType: string | null;
  objectId: string | null;
  params: unknown;
  outcome: string;
  error: string | null;
}

/**
 * Which entries an actor may read: a site admin all; anyone else the entries about hosts and
 * team objects (services, stacks, secrets) they see (for a site role any host's and any
 * team's, also removed hosts'; for team members their teams' objects and current hosts) and
 * their own.
 */
async function visibleEntries(actor: Actor, db: Db): Promise<Prisma.AuditEntryWhereInput> {
  if (siteRole(actor) === 'admin') return {};
  const teams = visibleTeamIds(actor);
  const about: Prisma.AuditEntryWhereInput[] = teams === null
    ? [{ hostId: { not: null } }, { teamId: { not: null } }]
    : [{ hostId: { in: (await db.host.findMany({ where: { teamId: { in: teams } }, select: { id: true } })).map((h) => h.id) } }, { teamId: { in: teams } }];
  return { OR: [...about, ...(actor.id ? [{ actorId: actor.id }] : [])] };
}

async function whereOf(f: AuditFilter, db: Db): Promise<Prisma.AuditEntryWhereInput> {
  const and: Prisma.AuditEntryWhereInput[] = [];
  if (f.viewer) and.push(await visibleEntries(f.viewer, db));
  if (f.user) and.push({ actorName: { equals: f.user, mode: 'insensitive' } });
  if (f.action) and.push({ action: { startsWith: f.action } });
  if (f.outcome) and.push({ outcome: f.outcome });
  if (f.from || f.to) and.push({ at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } });
  if (f.host) {
    // a removed host's row is gone but its entries keep its id; they still name it as their object
    const ids = (await db.host.findMany({ where: { name: f.host }, select: { id: true } })).map((h) => h.id);
    and.push({ OR: [{ hostId: { in: ids } }, { objectType: 'host', objectId: f.host }] });
  }
  return { AND: and };
}

/** Up to `limit` entries matching `f`, newest first, older than the entry `before` when given. */
export async function listAuditEntries(f: AuditFilter, page: { limit: number; before?: bigint }, db: Db = defaultDb()): Promise<AuditRow[]> {
  const where = await whereOf(f, db);
  const rows = await db.auditEntry.findMany({
    where: page.before !== undefined ? { AND: [where, { id: { lt: page.before } }] } : where,
    orderBy: { id: 'desc' },
    take: page.limit,
  });
  const hostIds = [...new Set(rows.map((r) => r.hostId).filter((id): id is string => !!id))];
  const names = new Map((await db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } })).map((h) => [h.id, h.name]));
  // a removed host's entries still name it through objectId; the id alone is shown otherwise
  return rows.map(({ hash: _h, prevHash: _p, actorId: _a, teamId: _t, hostId, id, ...r }) => ({ ...r, id: id.toString(), hostName: hostId ? (names.get(hostId) ?? null) : null }));
}

/** Every entry matching `f`, newest first, read `pageSize` at a time (for an export of any length). */
export async function* auditEntries(f: AuditFilter, db: Db = defaultDb(), pageSize = 1000): AsyncGenerator<AuditRow> {
  let before: bigint | undefined;
  for (;;) {
    const page = await listAuditEntries(f, before === undefined ? { limit: pageSize } : { limit: pageSize, before }, db);
    yield* page;
    if (page.length < pageSize) return;
    before = BigInt(page[page.length - 1]!.id);
  }
}

/**
 * The distinct actions the log holds, in order, for the action filter's suggestions. Action
 * names are the product's verbs, not anything a team owns, so every reader gets the same list.
 * One probe of the action index per distinct action (a loose index scan), whatever the log's size.
 */
export async function auditActions(db: Db = defaultDb()): Promise<string[]> {
  const rows = await db.$queryRaw<{ action: string }[]>`
    WITH RECURSIVE a(action) AS (
      (SELECT action FROM audit_entries ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT e.action FROM audit_entries e WHERE e.action > a.action ORDER BY e.action LIMIT 1) FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL`;
  return rows.map((r) => r.action);
}
