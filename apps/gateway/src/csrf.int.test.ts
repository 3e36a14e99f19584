import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { csrfTokenFor } from '@berth/api';
import { createApiToken, createUser, systemActor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { startGateway, type RunningGateway } from '@berth/testing/fleet';

type Headers = Record<string, string>;

/** The cookies a response sets, by name: value and attributes. */
function setCookies(res: Response): Map<string, string> {
  return new Map(res.headers.getSetCookie().map((c) => [c.split('=')[0]!, c]));
}

describe('cross-site request forgery: Origin check and CSRF token for cookie sessions', () => {
  const t = useTestDatabase();
  let gw: RunningGateway;
  let proxied: RunningGateway;
  let cookie = '';
  let csrf = '';
  const post = (base: string, path: string, headers: Headers, input: unknown = {}) =>
    fetch(`${base}/api/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ json: input }) });
  const get = (path: string, headers: Headers) => fetch(`${gw.url}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, { headers });
  const createJoinToken = (headers: Headers, hostName: string) => post(gw.url, 'hosts.createJoinToken', headers, { hostName });
  const tokensFor = (hostName: string) => t().db.joinToken.count({ where: { hostName } });
  const message = async (res: Response) => JSON.stringify(await res.json());

  beforeAll(async () => {
    await createUser(systemActor(), { username: 'ada', password: 'correct-horse-battery', role: 'admin' }, t().db);
    gw = await startGateway({ databaseUrl: t().url });
    proxied = await startGateway({ databaseUrl: t().url, env: { BERTH_PUBLIC_URL: 'https://berth.example.test' } });
  });
  afterAll(async () => {
    await gw?.stop();
    await proxied?.stop();
  });

  it('refuses a sign-in posted from another site, and signs in from its own origin with a CSRF cookie beside the session', async () => {
    const sessions = await t().db.session.count();
    const foreign = await post(gw.url, 'auth.login', { origin: 'https://evil.example' }, { username: 'ada', password: 'correct-horse-battery' });
    expect(foreign.status).toBe(403);
    expect(await message(foreign)).toContain('cross-site request refused: it comes from https://evil.example, not from this control plane');
    expect(foreign.headers.getSetCookie()).toEqual([]);
    expect(await t().db.session.count()).toBe(sessions);

    const ok = await post(gw.url, 'auth.login', { origin: gw.url }, { username: 'ada', password: 'correct-horse-battery' });
    expect(ok.status).toBe(200);
    const set = setCookies(ok);
    expect(set.get('berth_session')).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=604800$/); // plain http: not Secure
    expect(set.get('berth_csrf')).not.toMatch(/HttpOnly/);
    cookie = set.get('berth_session')!.split(';')[0]!;
    csrf = set.get('berth_csrf')!.split(';')[0]!.split('=')[1]!;
    expect(csrf).toBe(csrfTokenFor(decodeURIComponent(cookie.split('=')[1]!)));
  });

  it('refuses a cookie-authenticated mutation from another site, or without Origin and Referer, and changes nothing', async () => {
    for (const origin of ['https://evil.example', 'null', gw.url.replace('http:', 'https:'), gw.url.replace(/:\d+$/, ':1')]) {
      const res = await createJoinToken({ cookie, origin, 'x-berth-csrf': csrf }, 'h-foreign');
      expect(res.status, origin).toBe(403);
      expect(await message(res)).toContain('cross-site request refused');
    }
    const referer = await createJoinToken({ cookie, referer: 'https://evil.example/page', 'x-berth-csrf': csrf }, 'h-foreign');
    expect(referer.status).toBe(403);
    const none = await createJoinToken({ cookie, 'x-berth-csrf': csrf }, 'h-foreign');
    expect(none.status).toBe(403);
    expect(await message(none)).toContain('must carry an Origin or Referer header');
    expect(await tokensFor('h-foreign')).toBe(0);
  });

  it('refuses a mutation from its own origin without the session\'s CSRF token, and accepts it with the token', async () => {
    const other = await post(gw.url, 'auth.login', { origin: gw.url }, { username: 'ada', password: 'correct-horse-battery' });
    const otherCsrf = setCookies(other).get('berth_csrf')!.split(';')[0]!.split('=')[1]!;
    for (const token of [null, '', 'forged', otherCsrf]) {
      const res = await createJoinToken({ cookie, origin: gw.url, ...(token === null ? {} : { 'x-berth-csrf': token }) }, 'h-token');
      expect(res.status, String(token)).toBe(403);
      expect(await message(res)).toContain('the x-berth-csrf header is missing or does not belong to this session; reload the page');
    }
    expect(await tokensFor('h-token')).toBe(0);

    expect((await createJoinToken({ cookie, origin: gw.url, 'x-berth-csrf': csrf }, 'h-token')).status).toBe(200);
    // a browser that hides Origin but sends a same-origin Referer
    expect((await createJoinToken({ cookie, referer: `${gw.url}/hosts`, 'x-berth-csrf': csrf }, 'h-token')).status).toBe(200);
    expect(await tokensFor('h-token')).toBe(2);
  });

  it('lets a bearer-token mutation through without Origin, and leaves queries alone', async () => {
    const ada = await t().db.user.findUniqueOrThrow({ where: { username: 'ada' } });
    const api = await createApiToken({ kind: 'user', id: ada.id, name: 'ada', role: 'admin', source: 'cli', remoteAddr: null }, { name: 'ci' }, t().db);
    expect((await createJoinToken({ authorization: `Bearer ${api.token}` }, 'h-bearer')).status).toBe(200);
    expect(await tokensFor('h-bearer')).toBe(1);
    // a query with the cookie and no Origin or token, as a page load sends it
    expect((await get('hosts.list', { cookie })).status).toBe(200);
  });

  it('gives the CSRF cookie to a session that lacks it, on any request', async () => {
    const res = await get('hosts.list', { cookie });
    expect(setCookies(res).get('berth_csrf')).toMatch(new RegExp(`^berth_csrf=${csrf}; Path=/; SameSite=Lax; Max-Age=\\d+$`));
    const again = await get('hosts.list', { cookie: `${cookie}; berth_csrf=${csrf}` });
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a terminal websocket opened by another site or without Origin, with the session cookie', async () => {
    const upgrade = (headers: Headers) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/api/exec`, { headers });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        resolve(101);
        ws.close();
      });
      ws.once('error', reject);
    });
    expect(await upgrade({ cookie, origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade({ cookie })).toBe(403);
    expect(await upgrade({ cookie, origin: gw.url })).toBe(101);
  });

  it('behind a reverse proxy, accepts the BERTH_PUBLIC_URL origin and marks the cookies Secure', async () => {
    const fromProxy = await post(proxied.url, 'auth.login', { origin: 'https://berth.example.test' }, { username: 'ada', password: 'correct-horse-battery' });
    expect(fromProxy.status).toBe(200);
    const set = setCookies(fromProxy);
    expect(set.get('berth_session')).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=604800; Secure$/);
    expect(set.get('berth_csrf')).toMatch(/; Secure$/);
    const elsewhere = await post(proxied.url, 'auth.login', { origin: 'https://other.example.test' }, { username: 'ada', password: 'correct-horse-battery' });
    expect(elsewhere.status).toBe(403);
    expect(await message(elsewhere)).toContain('(https://berth.example.test, http://127.0.0.1:');
  });
});
