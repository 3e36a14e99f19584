import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChallenge, RegistryAuthError, RegistryClient } from './registry-client.ts';

describe('parseChallenge', () => {
  it('reads scheme and quoted or bare parameters', () => {
    expect(parseChallenge('Bearer realm="http://127.0.0.1/token",service="reg",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1/token', service: 'reg', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm=x')).toEqual({ scheme: 'basic', params: { realm: 'x' } });
  });
});

// A fake token-auth registry on 127.0.0.1: /token swaps Basic credentials for a bearer token.
describe('RegistryClient bearer flow', () => {
  let server: Server;
  let base: string;
  const scopes: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        scopes.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')}`);
        if (req.headers.authorization !== `Basic ${Buffer.from('u:p').toString('base64')}`) return res.writeHead(401).end();
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'tok' }));
      }
      if (req.headers.authorization !== 'Bearer tok') {
        return res
          .writeHead(401, { 'www-authenticate': `Bearer realm="${base}/token",service="fake",scope="repository:a/b:pull,push"` })
          .end();
      }
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches a token with the credentials and retries', async () => {
    const client = new RegistryClient(base, 'a/b', { username: 'u', password: 'p' });
    const res = await client.expect('GET', 'tags/list', [200]);
    expect(await res.text()).toBe('ok');
    expect(scopes).toContain('fake repository:a/b:pull,push');
  });

  it('fails clearly when the token server refuses', async () => {
    const client = new RegistryClient(base, 'a/b');
    await expect(client.request('GET', 'tags/list')).rejects.toThrow(RegistryAuthError);
    await expect(client.request('GET', 'tags/list')).rejects.toThrow(/token server .* answered 401: pass \{ username, password \}/);
  });

  it('refuses invalid repository names', () => {
    expect(() => new RegistryClient(base, 'Bad/Name')).toThrow(/invalid repository name/);
  });
});
