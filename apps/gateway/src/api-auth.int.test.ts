import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter, csrfTokenFor } from '@berth/api';
import { createApiToken, createUser, systemActor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { startGateway, type RunningGateway } from '@berth/testing/fleet';

// The only procedures anyone may call without signing in (an invitation's token is its own credential).
const PUBLIC = new Set(['health', 'auth.login', 'auth.logout', 'invitations.preview', 'invitations.accept']);

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>);

describe('the API over HTTP: authentication and authorization', () => {
  const t = useTestDatabase();
  let gw: RunningGateway;
  const call = (path: string, type: string, headers: Record<string, string> = {}, input: unknown = {}) =>
    type === 'query'
      ? fetch(`${gw.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers })
      : fetch(`${gw.url}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ json: input }) });

  beforeAll(async () => {
    gw = await startGateway({ databaseUrl: t().url });
  });
  afterAll(() => gw?.stop());

  it('answers 401 and no data to every non-public procedure called without credentials or with a bad token', async () => {
    expect(procedures.length).toBeGreaterThan(5);
    for (const [path, p] of procedures) {
      if (PUBLIC.has(path)) continue;
      // the forged cookie comes with its Origin and CSRF token, so that it is the session check that refuses it
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer berth_not-a-real-token' }, { cookie: 'berth_session=bs_forged', origin: gw.url, 'x-berth-csrf': csrfTokenFor('bs_forged') }];
      for (const headers of attempts) {
        const res = await call(path, p._def.type, headers);
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        const body = (await res.json()) as { error?: unknown; result?: unknown };
        expect(body.result, path).toBeUndefined();
      }
    }
  });

  it('refuses an unknown user and a wrong password alike, with 401, and records both', async () => {
    await createUser(systemActor(), { username: 'vera', password: 'correct-horse-battery', role: 'viewer' }, t().db);
    for (const creds of [{ username: 'nobody', password: 'whatever-123' }, { username: 'vera', password: 'wrong-password' }]) {
      const res = await call('auth.login', 'mutation', {}, creds);
      expect(res.status).toBe(401);
      expect(JSON.stringify(await res.json())).toContain('wrong username or password');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const refused = await t().db.auditEntry.findMany({ where: { action: 'auth.login', outcome: 'refused' } });
    expect(refused.map((e) => e.actorName).sort()).toEqual(['nobody', 'vera']);
  });

  it('lets a viewer read but not create join tokens or revoke hosts (403, checked on the server)', async () => {
    const ok = await call('auth.login', 'mutation', {}, { username: 'vera', password: 'correct-horse-battery' });
    expect(ok.status).toBe(200);
    const session = ok.headers.get('set-cookie')!.split(';')[0]!;
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    expect((await call('hosts.list', 'query', { cookie: session })).status).toBe(200);
    // as the dashboard sends a mutation: its own Origin and the session's CSRF token
    const cookie = { cookie: session, origin: gw.url, 'x-berth-csrf': csrfTokenFor(decodeURIComponent(session.split('=')[1]!)) };
    const forbidden = await call('hosts.createJoinToken', 'mutation', cookie, {});
    expect(forbidden.status).toBe(403);
    expect(JSON.stringify(await forbidden.json())).toContain('needs the admin role');
    expect((await call('hosts.revoke', 'mutation', cookie, { host: 'x' })).status).toBe(403);
    expect(await t().db.joinToken.count()).toBe(0);
    // the denied attempts are in the audit log, under the actions a success is recorded under,
    // with the host it named
    const refused = await t().db.auditEntry.findMany({ where: { actorName: 'vera', outcome: 'refused', action: { in: ['join-token.create', 'host.revoke'] } }, orderBy: { id: 'asc' } });
    expect(refused.map((e) => [e.action, e.error, e.params])).toEqual([
      ['join-token.create', expect.stringContaining('needs the admin role'), {}],
      ['host.revoke', expect.stringContaining('role'), { host: 'x' }],
    ]);
    // a refused query is not a change attempt: not recorded
    await call('users.list', 'query', { cookie: session });
    expect(await t().db.auditEntry.count({ where: { actorName: 'vera', outcome: 'refused', action: 'users.list' } })).toBe(0);
  });

  it('accepts an API token as a bearer token, and refuses it once expired', async () => {
    const admin = await t().db.user.create({ data: { username: 'root2', passwordHash: 'x', role: 'admin' } });
    const actor = { kind: 'user' as const, id: admin.id, name: admin.username, role: 'admin' as const, source: 'cli' as const, remoteAddr: null };
    const live = await createApiToken(actor, { name: 'ci' }, t().db);
    expect((await call('hosts.list', 'query', { authorization: `Bearer ${live.token}` })).status).toBe(200);
    const expired = await createApiToken(actor, { name: 'old', expiresAt: new Date(Date.now() - 1000) }, t().db);
    expect((await call('hosts.list', 'query', { authorization: `Bearer ${expired.token}` })).status).toBe(401);
  });

  it('says what was wrong with malformed input, in one message', async () => {
    const admin = await t().db.user.findUniqueOrThrow({ where: { username: 'root2' } });
    const token = await createApiToken({ kind: 'user', id: admin.id, name: 'root2', role: 'admin', source: 'cli', remoteAddr: null }, { name: 'x' }, t().db);
    const res = await call('hosts.createJoinToken', 'mutation', { authorization: `Bearer ${token.token}` }, { hostName: 'Not A Name!', maxUses: 0 });
    expect(res.status).toBe(400);
    const body = JSON.stringify(await res.json());
    expect(body).toContain('invalid input: hostName: use lower-case letters, digits and -');
    expect(body).toContain('maxUses');
  });
});
