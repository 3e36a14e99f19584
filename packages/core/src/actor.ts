import { db as defaultDb, type Db, type Host, type Role, type TeamRole } from '@berth/db';
import { AppError } from './errors.ts';

/** Who is asking, and through what: every service call and audit entry carries one. */
export interface Actor {
  kind: 'user' | 'system';
  id: string | null;
  name: string;
  /** The site-wide role, over every team; null: only what `teams` gives. */
  role: Role | null;
  /** The user's memberships: team id → role on that team. */
  teams?: Record<string, TeamRole>;
  /** When the call came with an API token: the most it may do (null or absent: all its user may). */
  scope?: Role | null;
  source: 'web' | 'cli' | 'api' | 'system';
  remoteAddr: string | null;
}

/** What a role may do, in order: an owner may all an admin may, and manage the team's owners. */
export type AnyRole = Role | TeamRole;
const RANK: Record<AnyRole, number> = { viewer: 0, operator: 1, admin: 2, owner: 3 };
const BY_RANK: AnyRole[] = ['viewer', 'operator', 'admin', 'owner'];

export const rankOf = (role: AnyRole | null | undefined): number => (role ? RANK[role] : -1);
const roleOfRank = (rank: number): AnyRole | null => (rank >= 0 ? BY_RANK[rank]! : null);

/**
 * A site admin acts as an owner of every team; other site roles are what they say on every
 * team. The token's scope caps the result.
 */
const siteRank = (actor: Actor): number => (actor.role === 'admin' ? RANK.owner : rankOf(actor.role));
const capped = (actor: Actor, rank: number): number => (actor.scope ? Math.min(rank, RANK[actor.scope]) : rank);

/** The actor's site role as its token lets it act (for site-wide things: users, teams, registries). */
export function siteRole(actor: Actor): Role | null {
  const r = roleOfRank(capped(actor, rankOf(actor.role)));
  return r === 'owner' ? 'admin' : (r as Role | null);
}

/** The role the actor acts with on `teamId`: max(site role, membership), capped by the token's scope; null: none. */
export function roleOnTeam(actor: Actor, teamId: string): AnyRole | null {
  const rank = Math.max(siteRank(actor), rankOf(actor.teams?.[teamId]));
  return roleOfRank(capped(actor, rank));
}

/** The highest role the actor has on any team (or site-wide): what it could be allowed at best. */
export function bestRole(actor: Actor): AnyRole | null {
  const ranks = [siteRank(actor), ...Object.values(actor.teams ?? {}).map(rankOf)];
  return roleOfRank(capped(actor, Math.max(...ranks)));
}

/** The teams whose hosts the actor sees; null: all of them (a site role). */
export function visibleTeamIds(actor: Actor): string[] | null {
  if (actor.kind === 'system' || actor.role) return null;
  return Object.keys(actor.teams ?? {});
}

const describe = (actor: Actor, role: AnyRole | null) => `${actor.name} is ${role ?? 'no member'}${actor.scope ? ` (through a token scoped to ${actor.scope})` : ''}`;
const describeRole = (actor: Actor, role: AnyRole | null) => `${actor.name} is ${role ?? 'without a site role'}${actor.scope ? ` (through a token scoped to ${actor.scope})` : ''}`;

/** A site-wide check: users, teams, registries, the audit chain. */
export function requireRole(actor: Actor, role: Role, what: string): void {
  const have = siteRole(actor);
  if (rankOf(have) < RANK[role]) throw new AppError('FORBIDDEN', `${what} needs the ${role} role; ${describeRole(actor, have)}: ask an admin`);
}

/** Refuses unless the actor has at least `role` on the team. */
export function requireTeamRole(actor: Actor, teamId: string, role: AnyRole, what: string, teamName?: string): void {
  const have = roleOnTeam(actor, teamId);
  if (rankOf(have) < RANK[role]) {
    throw new AppError('FORBIDDEN', `${what} needs the ${role} role${teamName ? ` on team ${teamName}` : ''}; ${describe(actor, have)}${teamName ? ` there` : ''}: ask a team admin`);
  }
}

/**
 * Refuses at once when the actor has `role` nowhere (so a viewer learns nothing about which
 * hosts exist); the host's own team is checked once the host is found.
 */
export function requireRoleSomewhere(actor: Actor, role: AnyRole, what: string): void {
  const best = bestRole(actor);
  if (rankOf(best) < RANK[role]) throw new AppError('FORBIDDEN', `${what} needs the ${role} role; ${describe(actor, best)}: ask an admin`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `where` for a row named by its name, or by its id when the reference reads as one. */
export const byNameOrId = (ref: string) => (UUID.test(ref) ? { OR: [{ id: ref }, { name: ref }] } : { name: ref });

/** A `where` for the rows of the teams the actor sees (nothing to add for site roles). */
export function teamWhere(actor: Actor): { teamId?: { in: string[] } } {
  const teams = visibleTeamIds(actor);
  return teams ? { teamId: { in: teams } } : {};
}

/** The answer for a host that does not exist, and for one the actor may not see: the same. */
export const noSuchHost = (ref: string) => new AppError('NOT_FOUND', `no host named ${ref}: \`berth hosts\` lists them`);

export type VisibleHost = Omit<Host, 'inventory'> & { team: { id: string; name: string } };

/** A host by name or id, if the actor may see it: another team's host is answered as an unknown one. */
export async function visibleHost(actor: Actor, ref: string, db: Pick<Db, 'host'> = defaultDb()): Promise<VisibleHost> {
  // with its team's name, and not its stored inventory: every host-scoped call comes here once, and that JSON is large
  const h = await db.host.findFirst({ where: { AND: [byNameOrId(ref), teamWhere(actor)] }, omit: { inventory: true }, include: { team: { select: { id: true, name: true } } } });
  if (!h) throw noSuchHost(ref);
  return h;
}

/**
 * The host, when the actor has at least `role` on its team. A host the actor may not see is
 * NOT_FOUND exactly as an unknown one, never FORBIDDEN, so ids of other teams' hosts leak nothing.
 */
export async function requireHostRole(actor: Actor, ref: string, role: AnyRole, what: string, db: Pick<Db, 'host'> = defaultDb()): Promise<VisibleHost> {
  requireRoleSomewhere(actor, role, what);
  const h = await visibleHost(actor, ref, db);
  const have = roleOnTeam(actor, h.teamId);
  if (rankOf(have) < RANK[role]) throw new AppError('FORBIDDEN', `${what} on ${h.name} needs the ${role} role on its team; ${describe(actor, have)} there: ask a team admin`);
  return h;
}

export const systemActor = (name = 'berth'): Actor => ({ kind: 'system', id: null, name, role: 'admin', source: 'system', remoteAddr: null });
