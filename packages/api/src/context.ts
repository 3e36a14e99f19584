import { actorForToken, noFleet, type Actor, type FleetDispatcher, type SecretBox } from '@berth/core';
import type { Db } from '@berth/db';
import type { Context } from './trpc.ts';

export const SESSION_COOKIE = 'berth_session';

function cookie(header: string | null, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/**
 * Builds the tRPC context from a request's headers: the actor comes from the session cookie
 * (dashboard) or a bearer API token (CLI, scripts).
 */
export async function createContext(opts: {
  headers: { get(name: string): string | null };
  appendHeader(name: string, value: string): void;
  db: Db;
  fleet?: FleetDispatcher;
  secrets?: SecretBox | null;
  /** the peer's address as the server's socket saw it, never a client-supplied header */
  remoteAddr: string | null;
  secureCookies?: boolean;
}): Promise<Context> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(opts.headers.get('authorization') ?? '')?.[1] ?? null;
  const sessionToken = cookie(opts.headers.get('cookie'), SESSION_COOKIE);
  const source: Actor['source'] = bearer ? (opts.headers.get('x-berth-client') === 'cli' ? 'cli' : 'api') : 'web';
  const remoteAddr = opts.remoteAddr;
  const token = bearer ?? sessionToken;
  const actor = token ? await actorForToken(token, { remoteAddr, source }, opts.db) : null;
  return {
    db: opts.db,
    actor,
    remoteAddr,
    source,
    fleet: opts.fleet ?? noFleet,
    secrets: opts.secrets ?? null,
    sessionToken,
    setSessionCookie(value, maxAge) {
      const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
      if (opts.secureCookies) attrs.push('Secure');
      opts.appendHeader('set-cookie', attrs.join('; '));
    },
  };
}
