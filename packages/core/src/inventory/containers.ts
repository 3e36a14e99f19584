// The fleet's containers from the inventories agents report (on connect and ~300 ms after each
// change): a trigger keeps them one row each in inventory_containers, which Postgres filters,
// sorts (with indexes) and pages in one statement, so that a list of 50,000 containers costs
// one page to whoever asks and nothing to the hosts.
// Live per-host lists stay with the agents (containers.list); this is the fleet-wide view, as
// fresh as each host's inventory_at.
import type { ContainerStatus, ContainerSummary } from '@berth/protocol';
import { ContainerSummary as ContainerSummarySchema } from '@berth/protocol';
import { db as defaultDb, Prisma, type Db } from '@berth/db';

export interface ContainerQuery {
  /** Only this host's. */
  host?: string;
  /** Only hosts of these teams (what the asking actor sees); null or absent: every team's. */
  teams?: string[] | null;
  /** Case-insensitive substring of the name, image, id or command. */
  text?: string;
  states?: ContainerStatus[];
  /** `key` or `key=value`, as docker ps --filter label= takes it. */
  label?: string;
  /** Case-insensitive substring of the image reference as the container was created from it (`nginx`, `registry:5000/app:1`). */
  image?: string;
  sort?: 'created' | 'name' | 'host' | 'state' | 'image';
  /** Which hosts the answer lists: all of them (the default), only those whose rows may be out of date (not online, or never reported), or none (a quick search that shows rows only). */
  hosts?: 'all' | 'stale' | 'none';
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export interface InventoryContainer extends ContainerSummary {
  host: string;
  hostId: string;
}

export interface ContainerPage {
  rows: InventoryContainer[];
  /** Matching rows in all, for the pager. */
  total: number;
  offset: number;
  limit: number;
  /** Every host asked (or with `hosts: 'stale'`, the first STALE_LISTED of those not online or without an inventory, by name), with when its inventory was taken and its status now. */
  hosts: { name: string; status: string; inventoryAt: string | null }[];
  /** How many hosts `hosts` would list uncut: a note says "and N more" without 1,000 entries in every answer of an outage. */
  hostsTotal: number;
}

/** The stale hosts an answer names at most; the dashboard's note shows five of them and a count. */
export const STALE_LISTED = 20;

const MAX_LIMIT = 500;

// Sort keys from a fixed list: nothing of the caller's reaches the SQL but bound values.
const SORT: Record<NonNullable<ContainerQuery['sort']>, Prisma.Sql> = {
  created: Prisma.sql`c.created`,
  name: Prisma.sql`c.name`,
  host: Prisma.sql`h.name`,
  state: Prisma.sql`c.state`,
  image: Prisma.sql`c.image`,
};

// The same keys as expressions no index gives in order. With a text, the trigram index finds the
// matches and a top-N sort orders them; left to itself, the planner walks the created index
// and filters every row until 50 match (193 ms at 50,000 rows for a text that matches 1,000).
const SORT_AFTER_SEARCH: Record<NonNullable<ContainerQuery['sort']>, Prisma.Sql> = {
  created: Prisma.sql`c.created + 0`,
  name: Prisma.sql`c.name || ''`,
  host: Prisma.sql`h.name`,
  state: Prisma.sql`c.state || ''`,
  image: Prisma.sql`c.image || ''`,
};

/** LIKE's own characters taken literally. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (m) => `\\${m}`);

export async function searchContainers(q: ContainerQuery, db: Db = defaultDb()): Promise<ContainerPage> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_LIMIT);
  const offset = Math.max(q.offset ?? 0, 0);
  const sort = q.sort ?? 'created';
  const desc = (q.order ?? (sort === 'created' ? 'desc' : 'asc')) === 'desc';
  const where: Prisma.Sql[] = [Prisma.sql`h.revoked_at IS NULL`];
  if (q.host) where.push(Prisma.sql`h.name = ${q.host}`);
  if (q.teams) where.push(q.teams.length ? Prisma.sql`h.team_id::text IN (${Prisma.join(q.teams)})` : Prisma.sql`FALSE`);
  if (q.states?.length) where.push(Prisma.sql`c.state IN (${Prisma.join(q.states)})`);
  if (q.text?.trim()) {
    // c.search holds the four fields lower-cased, one per line: a line break typed is a space, so no match spans two fields
    where.push(Prisma.sql`c.search LIKE ${`%${likeEscape(q.text.trim().replace(/[\r\n]+/g, ' ').toLowerCase())}%`}`);
  }
  if (q.image?.trim()) where.push(Prisma.sql`c.image ILIKE ${`%${likeEscape(q.image.trim())}%`}`);
  if (q.label) {
    const eq = q.label.indexOf('=');
    const key = eq < 0 ? q.label : q.label.slice(0, eq);
    where.push(eq < 0 ? Prisma.sql`c.labels ? ${key}` : Prisma.sql`c.labels->>${key} = ${q.label.slice(eq + 1)}`);
  }
  const order = desc ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const filter = Prisma.join(where, ' AND ');
  // the page and the count apart: a count(*) OVER () would carry every matching row's JSON
  // through the sort (35 MB spilled to disk at 50,000 rows); alone, the page reads ~50 rows
  // from the created index and the count reads the narrow columns
  const hostWhere = { revokedAt: null, ...(q.host ? { name: q.host } : {}), ...(q.teams ? { teamId: { in: q.teams } } : {}), ...(q.hosts === 'stale' ? { OR: [{ status: { not: 'online' as const } }, { inventoryAt: null }] } : {}) };
  const [rows, counted, hosts] = await Promise.all([
    db.$queryRaw<{ host: string; host_id: string; c: unknown }[]>`
      SELECT h.name AS host, h.id::text AS host_id, c.summary AS c
      FROM inventory_containers c JOIN hosts h ON h.id = c.host_id
      WHERE ${filter}
      ORDER BY ${(q.text?.trim() ? SORT_AFTER_SEARCH : SORT)[sort]} ${order}, h.name, c.id
      LIMIT ${limit} OFFSET ${offset}`,
    db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM inventory_containers c JOIN hosts h ON h.id = c.host_id
      WHERE ${filter}`,
    q.hosts === 'none' ? [] : db.host.findMany({
      where: hostWhere,
      select: { name: true, status: true, inventoryAt: true },
      orderBy: { name: 'asc' },
      ...(q.hosts === 'stale' ? { take: STALE_LISTED } : {}),
    }),
  ]);
  const page: InventoryContainer[] = [];
  for (const r of rows) {
    // an inventory row that does not read as a container (a damaged record) is left out, not fatal
    const c = ContainerSummarySchema.safeParse(r.c);
    if (c.success) page.push({ ...c.data, host: r.host, hostId: r.host_id });
  }
  const total = Number(counted[0]?.n ?? 0);
  // a cut stale list is counted apart, only then (an outage), not on every answer
  const cut = q.hosts === 'stale' && hosts.length === STALE_LISTED;
  return {
    rows: page, total, offset, limit,
    hosts: hosts.map((h) => ({ name: h.name, status: h.status, inventoryAt: h.inventoryAt?.toISOString() ?? null })),
    hostsTotal: cut ? await db.host.count({ where: hostWhere }) : hosts.length,
  };
}
