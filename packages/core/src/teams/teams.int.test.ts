import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor, type Actor } from '../actor.ts';
import { acceptInvitation, createInvitation, listInvitations, previewInvitation, revokeInvitation } from './invitations.ts';
import { addMember, createTeam, listMembers, moveHostToTeam, removeMember, removeTeam, setMemberRole } from './service.ts';
import { actorForToken, createApiToken, createUser, listApiTokens, login, logoutEverywhere, revokeApiToken, setSiteRole } from '../users/service.ts';
import { SignInLimiter } from '../users/sign-in-limiter.ts';

const where = { remoteAddr: '127.0.0.1', source: 'web' as const };

describe('teams, memberships and invitations', () => {
  const t = useTestDatabase();
  const actorOf = async (username: string): Promise<Actor> => {
    const u = await t().db.user.findUniqueOrThrow({ where: { username }, include: { memberships: true } });
    return { kind: 'user', id: u.id, name: u.username, role: u.role, teams: Object.fromEntries(u.memberships.map((m) => [m.teamId, m.role])), scope: null, ...where };
  };

  it('lets a new user accept an invitation once: a user with the membership and a session', async () => {
    const team = await createTeam(systemActor(), { name: 'red' }, t().db);
    await createUser(systemActor(), { username: 'olga', password: 'a-long-password', role: null, team: { id: team.id, role: 'owner' } }, t().db);
    const olga = await actorOf('olga');
    const inv = await createInvitation(olga, { team: 'red', role: 'operator' }, t().db);
    expect(inv.token).toMatch(/^bi_/);
    expect(await previewInvitation(inv.token, t().db)).toMatchObject({ team: 'red', role: 'operator' });
    const r = await acceptInvitation({ token: inv.token, username: 'newbie', password: 'another-long-one', ...where }, t().db);
    expect(r).toMatchObject({ team: 'red', role: 'operator', username: 'newbie' });
    const newbie = await actorForToken(r.sessionToken!, where, t().db);
    expect(newbie).toMatchObject({ name: 'newbie', role: null, teams: { [team.id]: 'operator' } });
    await expect(acceptInvitation({ token: inv.token, username: 'second', password: 'another-long-one', ...where }, t().db)).rejects.toThrow('this invitation has been used already: ask a team admin for a new one');
    expect(await t().db.user.findUnique({ where: { username: 'second' } })).toBeNull();
    expect((await listInvitations(olga, 'red', t().db)).map((i) => i.state)).toEqual(['accepted']);
  });

  it('refuses revoked, expired and unknown invitations with a clear message, and a taken name without using the invitation', async () => {
    const olga = await actorOf('olga');
    const revoked = await createInvitation(olga, { team: 'red', role: 'viewer' }, t().db);
    await revokeInvitation(olga, revoked.id, t().db);
    await expect(acceptInvitation({ token: revoked.token, username: 'x1', password: 'another-long-one', ...where }, t().db)).rejects.toThrow('this invitation was revoked: ask a team admin for a new one');
    const expired = await createInvitation(olga, { team: 'red', role: 'viewer' }, t().db);
    await t().db.invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(acceptInvitation({ token: expired.token, username: 'x2', password: 'another-long-one', ...where }, t().db)).rejects.toThrow(/^this invitation expired on .*: ask a team admin for a new one$/);
    await expect(previewInvitation('bi_' + 'x'.repeat(32), t().db)).rejects.toThrow('this invitation link is not valid: ask a team admin for a new one');
    const fresh = await createInvitation(olga, { team: 'red', role: 'viewer' }, t().db);
    await expect(acceptInvitation({ token: fresh.token, username: 'olga', password: 'another-long-one', ...where }, t().db)).rejects.toThrow('a user named olga exists already');
    await expect(acceptInvitation({ token: fresh.token, username: 'shorty', password: 'short', ...where }, t().db)).rejects.toThrow('the password is too short: use at least 8 characters');
    // still usable: a signed-in user joins with their own account
    const root = await createUser(systemActor(), { username: 'root', password: 'a-long-password', role: 'admin' }, t().db);
    expect(await acceptInvitation({ token: fresh.token, actor: await actorOf(root.username), ...where }, t().db)).toMatchObject({ team: 'red', role: 'viewer', sessionToken: null });
    const refused = await t().db.auditEntry.findMany({ where: { action: 'invitation.accept', outcome: 'refused' } });
    expect(refused.length).toBeGreaterThanOrEqual(4);
  });

  it('lets team admins invite and manage members but not owners; keeps the last owner', async () => {
    const olga = await actorOf('olga');
    await expect(addMember(olga, { team: 'red', username: 'newbie', role: 'admin' }, t().db)).rejects.toThrow('newbie is a member of team red already');
    await setMemberRole(olga, { team: 'red', username: 'newbie', role: 'admin' }, t().db);
    const newbie = await actorOf('newbie');
    await expect(createInvitation(newbie, { team: 'red', role: 'owner' }, t().db)).rejects.toThrow('inviting to a team needs the owner role on team red; newbie is admin there: ask a team admin');
    await expect(setMemberRole(newbie, { team: 'red', username: 'olga', role: 'viewer' }, t().db)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(removeMember(olga, { team: 'red', username: 'olga' }, t().db)).rejects.toThrow('olga is the last owner of team red: make another member an owner before removing them');
    await expect(setMemberRole(olga, { team: 'red', username: 'olga', role: 'admin' }, t().db)).rejects.toThrow('olga is the last owner of team red: make another member an owner before demoting them');
    await setMemberRole(olga, { team: 'red', username: 'newbie', role: 'owner' }, t().db);
    await setMemberRole(olga, { team: 'red', username: 'olga', role: 'viewer' }, t().db);
    expect((await listMembers(olga, 'red', t().db)).map((m) => [m.username, m.role])).toEqual([['newbie', 'owner'], ['olga', 'viewer'], ['root', 'viewer']]);
    // a viewer manages nothing, and another team's members are hidden from it
    await expect(addMember(await actorOf('olga'), { team: 'red', username: 'root', role: 'viewer' }, t().db)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await createTeam(systemActor(), { name: 'blue' }, t().db);
    await expect(listMembers(await actorOf('olga'), 'blue', t().db)).rejects.toThrow('no team named blue');
  });

  it('refuses to remove a team that owns hosts, naming them; moves a host for a site admin only', async () => {
    const blue = await t().db.team.findUniqueOrThrow({ where: { name: 'blue' } });
    await t().db.host.create({ data: { name: 'h-blue', teamId: blue.id } });
    const root = await actorOf('root');
    await expect(removeTeam(root, 'blue', t().db)).rejects.toThrow('team blue owns 1 host (h-blue): move them to another team (`berth host move HOST TEAM`) or remove them first');
    await expect(moveHostToTeam(await actorOf('newbie'), { host: 'h-blue', team: 'red' }, t().db)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await moveHostToTeam(root, { host: 'h-blue', team: 'red' }, t().db)).toEqual({ host: 'h-blue', team: 'red' });
    await removeTeam(root, 'blue', t().db);
    expect(await t().db.team.findUnique({ where: { name: 'blue' } })).toBeNull();
  });

  it('keeps the last site admin one', async () => {
    const root = await actorOf('root');
    await expect(setSiteRole(root, 'root', null, t().db)).rejects.toThrow('root is the last site admin: make another user a site admin first');
  });
});

describe('sign-in', () => {
  const t = useTestDatabase();

  it('refuses a username after 5 failures in 5 minutes, even with the right password, and lets it in once the window has passed', async () => {
    let now = 1_000_000;
    const limiter = new SignInLimiter(5, 5 * 60_000, () => now);
    await createUser(systemActor(), { username: 'vera', password: 'correct-horse', role: 'viewer' }, t().db);
    for (let i = 0; i < 5; i++) {
      await expect(login({ username: 'vera', password: 'wrong-one', remoteAddr: `127.0.0.${i + 1}`, source: 'web' }, t().db, limiter)).rejects.toThrow('wrong username or password');
      now += 1000;
    }
    await expect(login({ username: 'vera', password: 'correct-horse', remoteAddr: '127.0.0.9', source: 'web' }, t().db, limiter)).rejects.toThrow('too many failed sign-ins for vera: wait 295 s');
    now += 295_000;
    expect((await login({ username: 'vera', password: 'correct-horse', remoteAddr: '127.0.0.9', source: 'web' }, t().db, limiter)).user.username).toBe('vera');
    expect(await t().db.auditEntry.count({ where: { action: 'auth.login', outcome: 'refused', error: { startsWith: 'too many failed sign-ins' } } })).toBe(1);
  });

  it('refuses an address after 5 failures across usernames', async () => {
    const limiter = new SignInLimiter();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await expect(login({ username: name, password: 'x', remoteAddr: '127.0.0.7', source: 'web' }, t().db, limiter)).rejects.toThrow('wrong username or password');
    await expect(login({ username: 'vera', password: 'correct-horse', remoteAddr: '127.0.0.7', source: 'web' }, t().db, limiter)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/^too many failed sign-ins for 127\.0\.0\.7: wait \d+ s$/) });
    expect((await login({ username: 'vera', password: 'correct-horse', remoteAddr: '127.0.0.8', source: 'web' }, t().db, limiter)).user.username).toBe('vera');
  });

  it('reads a session as its user with every membership and site role, and an expired session as nobody', async () => {
    const red = await createTeam(systemActor(), { name: 'red' }, t().db);
    const blue = await createTeam(systemActor(), { name: 'blue' }, t().db);
    await createUser(systemActor(), { username: 'mia', password: 'correct-horse', role: 'viewer', team: { id: red.id, role: 'admin' } }, t().db);
    await addMember(systemActor(), { team: 'blue', username: 'mia', role: 'operator' }, t().db);
    await createUser(systemActor(), { username: 'ned', password: 'correct-horse', role: null }, t().db);
    const mia = await login({ username: 'mia', password: 'correct-horse', ...where }, t().db, new SignInLimiter());
    expect(await actorForToken(mia.token, where, t().db)).toEqual({
      kind: 'user', id: mia.user.id, name: 'mia', role: 'viewer', teams: { [red.id]: 'admin', [blue.id]: 'operator' }, scope: null, ...where,
    });
    const ned = await login({ username: 'ned', password: 'correct-horse', ...where }, t().db, new SignInLimiter());
    expect(await actorForToken(ned.token, where, t().db)).toMatchObject({ name: 'ned', role: null, teams: {} });
    await t().db.session.updateMany({ where: { userId: mia.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await actorForToken(mia.token, where, t().db)).toBeNull();
  });

  it('reads an API token as its user with every membership, capped by its scope; an expired token as nobody', async () => {
    const green = await createTeam(systemActor(), { name: 'green' }, t().db);
    const amber = await createTeam(systemActor(), { name: 'amber' }, t().db);
    await createUser(systemActor(), { username: 'otto', password: 'correct-horse', role: 'viewer', team: { id: green.id, role: 'admin' } }, t().db);
    await addMember(systemActor(), { team: 'amber', username: 'otto', role: 'operator' }, t().db);
    const otto = (await actorForToken((await login({ username: 'otto', password: 'correct-horse', ...where }, t().db, new SignInLimiter())).token, where, t().db))!;
    const tok = await createApiToken(otto, { name: 'otto-ci', scope: 'operator' }, t().db);
    expect(await actorForToken(tok.token, where, t().db)).toEqual({
      kind: 'user', id: otto.id, name: 'otto', role: 'viewer', teams: { [green.id]: 'admin', [amber.id]: 'operator' }, scope: 'operator', source: 'api', remoteAddr: where.remoteAddr,
    });
    expect((await t().db.apiToken.findFirstOrThrow({ where: { name: 'otto-ci' } })).lastUsedAt).not.toBeNull();
    await t().db.apiToken.updateMany({ where: { name: 'otto-ci' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await actorForToken(tok.token, where, t().db)).toBeNull();
  });

  it('signs out everywhere: every session of the user ends, other users\' stay', async () => {
    const limiter = new SignInLimiter();
    await createUser(systemActor(), { username: 'walt', password: 'correct-horse', role: 'viewer' }, t().db);
    const s1 = await login({ username: 'vera', password: 'correct-horse', ...where }, t().db, limiter);
    const s2 = await login({ username: 'vera', password: 'correct-horse', ...where }, t().db, limiter);
    const other = await login({ username: 'walt', password: 'correct-horse', ...where }, t().db, limiter);
    const vera = (await actorForToken(s1.token, where, t().db))!;
    expect((await logoutEverywhere(vera, t().db)).sessions).toBeGreaterThanOrEqual(2);
    expect(await actorForToken(s1.token, where, t().db)).toBeNull();
    expect(await actorForToken(s2.token, where, t().db)).toBeNull();
    expect(await actorForToken(other.token, where, t().db)).not.toBeNull();
  });

  it('lists and revokes one\'s own API tokens only; a revoked token lets nobody in', async () => {
    const vera = (await actorForToken((await login({ username: 'vera', password: 'correct-horse', ...where }, t().db, new SignInLimiter())).token, where, t().db))!;
    const walt = (await actorForToken((await login({ username: 'walt', password: 'correct-horse', ...where }, t().db, new SignInLimiter())).token, where, t().db))!;
    const tok = await createApiToken(vera, { name: 'ci', scope: 'viewer', expiresAt: new Date(Date.now() + 86400_000) }, t().db);
    expect((await listApiTokens(vera, {}, t().db)).map((x) => [x.name, x.scope, x.prefix])).toEqual([['ci', 'viewer', tok.token.slice(0, 12)]]);
    expect(await listApiTokens(walt, {}, t().db)).toEqual([]);
    await expect(listApiTokens(walt, { all: true }, t().db)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(revokeApiToken(walt, 'ci', t().db)).rejects.toThrow('no live API token ci of yours');
    expect(await actorForToken(tok.token, where, t().db)).not.toBeNull();
    expect((await revokeApiToken(vera, tok.prefix, t().db)).revokedAt).not.toBeNull();
    expect(await actorForToken(tok.token, where, t().db)).toBeNull();
  });
});
