// Accounts: `berth user`, `berth team`, `berth token` (docker-like verbs: create, ls, rm) and
// `berth host move`. Each takes its own flags after the verb.
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import type { Api } from '../client.ts';
import { since, table } from '../format.ts';

export interface AccountsIo {
  json: boolean;
  /** the whole of stdin, for --password-stdin */
  readStdin(): Promise<string>;
}

const SITE_ROLES = ['admin', 'operator', 'viewer', 'none'] as const;
const TEAM_ROLES = ['owner', 'admin', 'operator', 'viewer'] as const;
type TeamRole = (typeof TEAM_ROLES)[number];

function oneOf<T extends string>(verb: string, flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UserError(`${verb}: --${flag} is one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
  return v as T;
}

function args(verb: string, positionals: string[], n: number, usage: string): string[] {
  if (positionals.length !== n) throw new UserError(`${verb}: requires exactly ${n} argument${n === 1 ? '' : 's'} (usage: berth ${usage})`);
  return positionals;
}

const USER_USAGE = 'user create NAME [--role admin|operator|viewer] [--team TEAM [--team-role R]] [--password-stdin] | user ls | user set-role NAME admin|operator|viewer|none | user rm NAME';

export async function userCommand(api: Api, argv: string[], io: AccountsIo): Promise<string> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const f = parseFlags('user create', rest, { role: { type: 'string' }, team: { type: 'string' }, 'team-role': { type: 'string' }, 'password-stdin': { type: 'boolean' } });
      const [username] = args('user create', f.positionals, 1, USER_USAGE);
      const role = oneOf('user create', 'role', f.str('role'), SITE_ROLES);
      const teamRole = oneOf('user create', 'team-role', f.str('team-role'), TEAM_ROLES);
      if (teamRole && !f.str('team')) throw new UserError('user create: --team-role goes with --team TEAM');
      // without --password-stdin a random password is made and shown once
      const given = f.bool('password-stdin') ? (await io.readStdin()).replace(/\r?\n$/, '') : null;
      const password = given ?? randomBytes(15).toString('base64url');
      const u = await api.users.create.mutate({ username: username!, password, role: role && role !== 'none' ? role : null, ...(f.str('team') ? { team: f.str('team')!, teamRole: teamRole ?? 'viewer' } : {}) });
      if (io.json) return JSON.stringify({ ...u, ...(given === null ? { password } : {}) }, null, 2) + '\n';
      return `${u.username} created${u.role ? ` (site ${u.role})` : ''}${given === null ? `\npassword: ${password}\n(shown once: hand it over safely)` : ''}\n`;
    }
    case 'ls':
    case 'list': {
      const users = await api.users.list.query();
      if (io.json) return JSON.stringify(users, null, 2) + '\n';
      return table(['USERNAME', 'SITE ROLE', 'TEAMS', 'CREATED'], users.map((u) => [u.username, u.role ?? '-', u.teams.map((t) => `${t.name}:${t.role}`).join(',') || '-', since(u.createdAt)]));
    }
    case 'set-role': {
      const [username, role] = args('user set-role', parseFlags('user set-role', rest, {}).positionals, 2, USER_USAGE);
      const r = oneOf('user set-role', 'role', role, SITE_ROLES)!;
      const u = await api.users.setSiteRole.mutate({ username: username!, role: r === 'none' ? null : r });
      return `${u.username}: site role ${u.role ?? 'none'}\n`;
    }
    case 'rm':
    case 'remove': {
      const names = parseFlags('user rm', rest, {}).positionals;
      if (!names.length) throw new UserError(`user rm: requires at least 1 argument (usage: berth ${USER_USAGE})`);
      let out = '';
      for (const username of names) out += `${(await api.users.remove.mutate({ username })).removed}\n`;
      return out;
    }
    default:
      throw new UserError(`usage: berth ${USER_USAGE}`);
  }
}

const TEAM_USAGE = 'team create NAME | team ls | team rename TEAM NAME | team rm TEAM | team member ls|add|rm|set-role TEAM [USER] [--role R] | team invite TEAM [--role R] [--expires DURATION] | team invite ls TEAM | team invite rm ID';

/** 7d, 12h, 30m or seconds. */
export function parseDuration(verb: string, v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m) throw new UserError(`${verb}: --expires is a duration like 7d, 12h, 30m or a number of seconds, not ${JSON.stringify(v)}`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

export async function teamCommand(api: Api, argv: string[], io: AccountsIo, baseUrl: string): Promise<string> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const [name] = args('team create', parseFlags('team create', rest, {}).positionals, 1, TEAM_USAGE);
      const t = await api.teams.create.mutate({ name: name! });
      return io.json ? JSON.stringify(t, null, 2) + '\n' : `${t.name}\n`;
    }
    case 'ls':
    case 'list': {
      const teams = await api.teams.list.query();
      if (io.json) return JSON.stringify(teams, null, 2) + '\n';
      return table(['NAME', 'MEMBERS', 'HOSTS', 'YOUR ROLE', 'CREATED'], teams.map((t) => [t.name, String(t.members), String(t.hosts), t.myRole ?? '-', since(t.createdAt)]));
    }
    case 'rename': {
      const [team, name] = args('team rename', parseFlags('team rename', rest, {}).positionals, 2, TEAM_USAGE);
      return `${(await api.teams.rename.mutate({ team: team!, name: name! })).name}\n`;
    }
    case 'rm':
    case 'remove': {
      const [team] = args('team rm', parseFlags('team rm', rest, {}).positionals, 1, TEAM_USAGE);
      return `${(await api.teams.remove.mutate({ team: team! })).removed} removed\n`;
    }
    case 'member':
      return memberCommand(api, rest, io);
    case 'invite':
      return inviteCommand(api, rest, io, baseUrl);
    default:
      throw new UserError(`usage: berth ${TEAM_USAGE}`);
  }
}

async function memberCommand(api: Api, argv: string[], io: AccountsIo): Promise<string> {
  const [sub, ...rest] = argv;
  const f = parseFlags(`team member ${sub ?? ''}`.trim(), rest, { role: { type: 'string' } });
  const role = oneOf(`team member ${sub}`, 'role', f.str('role'), TEAM_ROLES);
  switch (sub) {
    case 'ls':
    case 'list': {
      const [team] = args('team member ls', f.positionals, 1, TEAM_USAGE);
      const members = await api.teams.members.query({ team: team! });
      if (io.json) return JSON.stringify(members, null, 2) + '\n';
      return table(['USERNAME', 'ROLE', 'SINCE'], members.map((m) => [m.username, m.role, since(m.since)]));
    }
    case 'add': {
      const [team, username] = args('team member add', f.positionals, 2, TEAM_USAGE);
      const m = await api.teams.addMember.mutate({ team: team!, username: username!, role: role ?? 'viewer' });
      return `${m.username} is ${m.role} of ${team}\n`;
    }
    case 'set-role': {
      const [team, username] = args('team member set-role', f.positionals, 2, TEAM_USAGE);
      if (!role) throw new UserError('team member set-role: give the new role with --role owner|admin|operator|viewer');
      const m = await api.teams.setMemberRole.mutate({ team: team!, username: username!, role });
      return `${m.username} is ${m.role} of ${team}\n`;
    }
    case 'rm':
    case 'remove': {
      const [team, username] = args('team member rm', f.positionals, 2, TEAM_USAGE);
      await api.teams.removeMember.mutate({ team: team!, username: username! });
      return `${username} removed from ${team}\n`;
    }
    default:
      throw new UserError(`usage: berth ${TEAM_USAGE}`);
  }
}

async function inviteCommand(api: Api, argv: string[], io: AccountsIo, baseUrl: string): Promise<string> {
  if (argv[0] === 'ls' || argv[0] === 'list') {
    const [team] = args('team invite ls', parseFlags('team invite ls', argv.slice(1), {}).positionals, 1, TEAM_USAGE);
    const invs = await api.invitations.list.query({ team: team! });
    if (io.json) return JSON.stringify(invs, null, 2) + '\n';
    return table(['ID', 'ROLE', 'STATE', 'EXPIRES', 'CREATED'], invs.map((i) => [i.id, i.role, i.state, i.expiresAt.toISOString(), since(i.createdAt)]));
  }
  if (argv[0] === 'rm' || argv[0] === 'revoke') {
    const [id] = args('team invite rm', parseFlags('team invite rm', argv.slice(1), {}).positionals, 1, TEAM_USAGE);
    const i = await api.invitations.revoke.mutate({ id: id! });
    return `invitation ${i.id} revoked\n`;
  }
  const f = parseFlags('team invite', argv, { role: { type: 'string' }, expires: { type: 'string' } });
  const [team] = args('team invite', f.positionals, 1, TEAM_USAGE);
  const role: TeamRole = oneOf('team invite', 'role', f.str('role'), TEAM_ROLES) ?? 'viewer';
  const ttl = f.str('expires') ? parseDuration('team invite', f.str('expires')!) : undefined;
  const i = await api.invitations.create.mutate({ team: team!, role, ...(ttl ? { ttlSeconds: ttl } : {}) });
  const link = `${baseUrl.replace(/\/+$/, '')}/invite/${i.token}`;
  if (io.json) return JSON.stringify({ ...i, link }, null, 2) + '\n';
  return `${link}\n(${i.role} of ${i.team}, valid until ${i.expiresAt.toISOString()}, once; shown once)\n`;
}

const TOKEN_USAGE = 'token create NAME [--scope viewer|operator|admin] [--expires DURATION] | token ls [--all] | token rm ID|NAME|PREFIX';

export async function tokenCommand(api: Api, argv: string[], io: AccountsIo): Promise<string> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const f = parseFlags('token create', rest, { scope: { type: 'string' }, expires: { type: 'string' } });
      const [name] = args('token create', f.positionals, 1, TOKEN_USAGE);
      const scope = oneOf('token create', 'scope', f.str('scope'), ['viewer', 'operator', 'admin'] as const);
      const seconds = f.str('expires') ? parseDuration('token create', f.str('expires')!) : undefined;
      const t = await api.auth.createApiToken.mutate({ name: name!, ...(scope ? { scope } : {}), ...(seconds ? { expiresInSeconds: seconds } : {}) });
      if (io.json) return JSON.stringify(t, null, 2) + '\n';
      return `${t.token}\n(${t.scope ? `scope ${t.scope}` : 'all your rights'}${t.expiresAt ? `, valid until ${t.expiresAt.toISOString()}` : ', no expiry'}; shown once: keep it in a secret store)\n`;
    }
    case 'ls':
    case 'list': {
      const f = parseFlags('token ls', rest, { all: { type: 'boolean' } });
      const tokens = await api.auth.listApiTokens.query({ all: f.bool('all') });
      if (io.json) return JSON.stringify(tokens, null, 2) + '\n';
      return table(['ID', 'NAME', 'PREFIX', ...(f.bool('all') ? ['USER'] : []), 'SCOPE', 'LAST USED', 'EXPIRES', 'STATE'], tokens.map((t) => [
        t.id.slice(0, 8), t.name, t.prefix, ...(f.bool('all') ? [t.username] : []), t.scope ?? 'full', t.lastUsedAt ? since(t.lastUsedAt) : 'never', t.expiresAt ? t.expiresAt.toISOString() : 'never',
        t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt < new Date() ? 'expired' : 'active',
      ]));
    }
    case 'rm':
    case 'revoke': {
      const refs = parseFlags('token rm', rest, {}).positionals;
      if (!refs.length) throw new UserError(`token rm: requires at least 1 argument (usage: berth ${TOKEN_USAGE})`);
      let out = '';
      for (const token of refs) out += `${(await api.auth.revokeApiToken.mutate({ token })).name} revoked\n`;
      return out;
    }
    default:
      throw new UserError(`usage: berth ${TOKEN_USAGE}`);
  }
}

/** `berth host move HOST TEAM` (or `host update --team TEAM HOST`). */
export async function hostMoveCommand(api: Api, argv: string[]): Promise<string> {
  const [host, team] = args('host move', parseFlags('host move', argv, {}).positionals, 2, 'host move HOST TEAM');
  const r = await api.hosts.moveToTeam.mutate({ host: host!, team: team! });
  return `${r.host} now belongs to team ${r.team}\n`;
}
