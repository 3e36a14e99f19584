import { db as defaultDb, type Db, type Team, type TeamRole } from '@berth/db';
import type { Actor, AnyRole } from '../actor.ts';
import { byNameOrId, rankOf, requireRole, requireTeamRole, roleOnTeam, visibleHost, visibleTeamIds } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';

export const TEAM_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** The team every host belonged to before teams existed, made by the migration. */
export const DEFAULT_TEAM = 'default';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface TeamView {
  id: string;
  name: string;
  createdAt: Date;
  members: number;
  hosts: number;
  /** what the asking actor may do on it */
  myRole: AnyRole | null;
}

export interface MemberView {
  userId: string;
  username: string;
  role: TeamRole;
  since: Date;
}

const noSuchTeam = (ref: string) => new AppError('NOT_FOUND', `no team named ${ref}: \`berth team ls\` lists them`);

/** A team by name or id, if the actor may see it (a member, or a site role); another team is answered as unknown. */
export async function visibleTeam(actor: Actor, ref: string, db: Pick<Db, 'team'> = defaultDb()): Promise<Team> {
  const t = await db.team.findFirst({ where: byNameOrId(ref) });
  const teams = visibleTeamIds(actor);
  if (!t || (teams && !teams.includes(t.id))) throw noSuchTeam(ref);
  return t;
}

/** The team by name or id, whoever asks: for site admins and new hosts' tokens. */
export async function teamByRef(ref: string, db: Pick<Db, 'team'> = defaultDb()): Promise<Team> {
  const t = await db.team.findFirst({ where: byNameOrId(ref) });
  if (!t) throw noSuchTeam(ref);
  return t;
}

/**
 * The team a new object (a host's join token, a service, a stack, a secret) goes to: the one
 * named (where the actor needs `role`); when none is named, the one team the actor has `role`
 * on, else a clear refusal saying how to choose. `siteDefault`: for a site role the team of
 * that name, instead of asking when there are several (join tokens: `default`).
 */
export async function teamForNew(actor: Actor, ref: string | undefined, o: { role: AnyRole; what: string; siteDefault?: string }, db: Pick<Db, 'team'> = defaultDb()): Promise<Team> {
  if (ref) {
    const t = await visibleTeam(actor, ref, db);
    requireTeamRole(actor, t.id, o.role, o.what, t.name);
    return t;
  }
  const ids = visibleTeamIds(actor);
  if (!ids && o.siteDefault) {
    return visibleTeam(actor, o.siteDefault, db).catch(() => {
      throw new AppError('INVALID', `${o.what}: there is no team named ${o.siteDefault}: name the team (--team TEAM)`);
    });
  }
  const teams = await db.team.findMany({ where: ids ? { id: { in: ids } } : {}, orderBy: { name: 'asc' } });
  const able = teams.filter((t) => rankOf(roleOnTeam(actor, t.id)) >= rankOf(o.role));
  if (able.length === 1) return able[0]!;
  if (able.length === 0) throw new AppError('FORBIDDEN', `${o.what} needs the ${o.role} role on a team; ${actor.name} has it on none: ask a team admin`);
  const names = able.slice(0, 10).map((t) => t.name).join(', ') + (able.length > 10 ? ` and ${able.length - 10} more` : '');
  throw new AppError('INVALID', `${o.what}: you are ${o.role} or more in teams ${names}: pass --team TEAM (\`team\` in the API) to say which`);
}

export async function listTeams(actor: Actor, db: Db = defaultDb()): Promise<TeamView[]> {
  const ids = visibleTeamIds(actor);
  const rows = await db.team.findMany({ where: ids ? { id: { in: ids } } : {}, orderBy: { name: 'asc' }, include: { _count: { select: { memberships: true, hosts: true } } } });
  return rows.map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt, members: t._count.memberships, hosts: t._count.hosts, myRole: roleOnTeam(actor, t.id) }));
}

function checkName(name: string): void {
  if (!TEAM_NAME.test(name)) throw new AppError('INVALID', `team name ${JSON.stringify(name)} is not valid: use lower-case letters, digits and -, at most 63`);
}

export async function createTeam(actor: Actor, input: { name: string }, db: Db = defaultDb()): Promise<TeamView> {
  requireRole(actor, 'admin', 'creating a team');
  checkName(input.name);
  return audited(actor, { action: 'team.create', objectType: 'team', objectId: input.name }, async (tx) => {
    if (await tx.team.findUnique({ where: { name: input.name } })) throw new AppError('CONFLICT', `a team named ${input.name} exists already: choose another name`);
    const t = await tx.team.create({ data: { name: input.name } });
    return { id: t.id, name: t.name, createdAt: t.createdAt, members: 0, hosts: 0, myRole: roleOnTeam(actor, t.id) };
  }, db);
}

export async function renameTeam(actor: Actor, ref: string, name: string, db: Db = defaultDb()): Promise<{ id: string; name: string }> {
  requireRole(actor, 'admin', 'renaming a team');
  checkName(name);
  return audited(actor, { action: 'team.rename', objectType: 'team', objectId: ref, params: { name } }, async (tx) => {
    const t = await teamByRef(ref, tx);
    if (t.name !== name && (await tx.team.findUnique({ where: { name } }))) throw new AppError('CONFLICT', `a team named ${name} exists already: choose another name`);
    const u = await tx.team.update({ where: { id: t.id }, data: { name } });
    return { id: u.id, name: u.name };
  }, db);
}

/** Removes a team with its memberships, invitations and join tokens; refused while it owns hosts. */
export async function removeTeam(actor: Actor, ref: string, db: Db = defaultDb()): Promise<void> {
  requireRole(actor, 'admin', 'removing a team');
  await audited(actor, { action: 'team.remove', objectType: 'team', objectId: ref }, async (tx) => {
    const t = await teamByRef(ref, tx);
    const hosts = await tx.host.findMany({ where: { teamId: t.id }, select: { name: true }, orderBy: { name: 'asc' } });
    if (hosts.length) {
      const names = hosts.slice(0, 5).map((h) => h.name).join(', ') + (hosts.length > 5 ? ` and ${hosts.length - 5} more` : '');
      throw new AppError('CONFLICT', `team ${t.name} owns ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${names}): move them to another team (\`berth host move HOST TEAM\`) or remove them first`);
    }
    const [services, secrets] = await Promise.all([tx.service.count({ where: { teamId: t.id } }), tx.secret.count({ where: { teamId: t.id } })]);
    if (services || secrets) {
      throw new AppError('CONFLICT', `team ${t.name} owns ${services} service${services === 1 ? '' : 's'} and ${secrets} secret${secrets === 1 ? '' : 's'} or config${secrets === 1 ? '' : 's'}: remove them first (\`berth service rm\`, \`berth stack rm\`, \`berth secret rm\`, \`berth config rm\`)`);
    }
    await tx.team.delete({ where: { id: t.id } });
  }, db);
}

export async function listMembers(actor: Actor, teamRef: string, db: Db = defaultDb()): Promise<MemberView[]> {
  const t = await visibleTeam(actor, teamRef, db);
  requireTeamRole(actor, t.id, 'viewer', "listing a team's members", t.name);
  const rows = await db.membership.findMany({ where: { teamId: t.id }, include: { user: { select: { username: true } } } });
  return rows.map((m) => ({ userId: m.userId, username: m.user.username, role: m.role, since: m.createdAt })).sort((a, b) => rankOf(b.role) - rankOf(a.role) || a.username.localeCompare(b.username));
}

/** Granting or taking away owner needs an owner (or a site admin); anything else a team admin. */
function requireGrant(actor: Actor, team: Team, roles: (TeamRole | null)[], what: string): void {
  requireTeamRole(actor, team.id, roles.includes('owner') ? 'owner' : 'admin', what, team.name);
}

async function lastOwnerGuard(tx: Tx, team: Team, userId: string, username: string, doing: string): Promise<void> {
  const others = await tx.membership.count({ where: { teamId: team.id, role: 'owner', userId: { not: userId } } });
  if (others === 0) throw new AppError('CONFLICT', `${username} is the last owner of team ${team.name}: make another member an owner before ${doing}`);
}

export async function addMember(actor: Actor, input: { team: string; username: string; role: TeamRole }, db: Db = defaultDb()): Promise<MemberView> {
  return audited(actor, { action: 'team.member.add', objectType: 'team', objectId: input.team, params: { username: input.username, role: input.role } }, async (tx) => {
    const team = await visibleTeam(actor, input.team, tx);
    requireGrant(actor, team, [input.role], "adding a team's member");
    const user = await tx.user.findUnique({ where: { username: input.username } });
    if (!user) throw new AppError('NOT_FOUND', `no user named ${input.username}: create the user first, or send an invitation (\`berth team invite ${team.name} --role ${input.role}\`)`);
    if (await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: team.id } } })) {
      throw new AppError('CONFLICT', `${input.username} is a member of team ${team.name} already: change the role with \`berth team member set-role\``);
    }
    const m = await tx.membership.create({ data: { userId: user.id, teamId: team.id, role: input.role } });
    return { userId: user.id, username: user.username, role: m.role, since: m.createdAt };
  }, db);
}

async function membershipOf(tx: Tx, team: Team, username: string) {
  const user = await tx.user.findUnique({ where: { username } });
  const m = user ? await tx.membership.findUnique({ where: { userId_teamId: { userId: user.id, teamId: team.id } } }) : null;
  if (!user || !m) throw new AppError('NOT_FOUND', `${username} is not a member of team ${team.name}: \`berth team member ls ${team.name}\` lists them`);
  return { user, m };
}

export async function setMemberRole(actor: Actor, input: { team: string; username: string; role: TeamRole }, db: Db = defaultDb()): Promise<MemberView> {
  return audited(actor, { action: 'team.member.set-role', objectType: 'team', objectId: input.team, params: { username: input.username, role: input.role } }, async (tx) => {
    const team = await visibleTeam(actor, input.team, tx);
    requireTeamRole(actor, team.id, 'admin', "changing a member's role", team.name);
    const { user, m } = await membershipOf(tx, team, input.username);
    requireGrant(actor, team, [m.role, input.role], "changing a member's role");
    if (m.role === 'owner' && input.role !== 'owner') await lastOwnerGuard(tx, team, user.id, user.username, 'demoting them');
    const u = await tx.membership.update({ where: { userId_teamId: { userId: user.id, teamId: team.id } }, data: { role: input.role } });
    return { userId: user.id, username: user.username, role: u.role, since: u.createdAt };
  }, db);
}

export async function removeMember(actor: Actor, input: { team: string; username: string }, db: Db = defaultDb()): Promise<void> {
  await audited(actor, { action: 'team.member.remove', objectType: 'team', objectId: input.team, params: { username: input.username } }, async (tx) => {
    const team = await visibleTeam(actor, input.team, tx);
    const { user, m } = await membershipOf(tx, team, input.username);
    // anyone may leave a team; removing someone else needs a team admin
    if (user.id !== actor.id) requireGrant(actor, team, [m.role], "removing a team's member");
    if (m.role === 'owner') await lastOwnerGuard(tx, team, user.id, user.username, 'removing them');
    await tx.membership.delete({ where: { userId_teamId: { userId: user.id, teamId: team.id } } });
  }, db);
}

/** Gives a host to another team: its members lose sight of it, the new team's gain it. Site admins only. */
export async function moveHostToTeam(actor: Actor, input: { host: string; team: string }, db: Db = defaultDb()): Promise<{ host: string; team: string }> {
  requireRole(actor, 'admin', 'moving a host to another team');
  return audited(actor, { action: 'host.move', objectType: 'host', objectId: input.host, params: { team: input.team } }, async (tx) => {
    const h = await visibleHost(actor, input.host, tx);
    const t = await teamByRef(input.team, tx);
    await tx.host.update({ where: { id: h.id }, data: { teamId: t.id } });
    return { host: h.name, team: t.name };
  }, db);
}
