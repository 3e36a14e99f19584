import { actorForToken, noFleet, type Actor, type FleetDispatcher, type SecretBox } from '@berth/core';
import type { Db } from '@berth/db';
import { CSRF_COOKIE, csrfTokenFor } from './csrf.ts';
import type { Context } from './trpc.ts';

export const SESSION_COOKIE = 'berth_session';

export function readCookie(header: string | null, name: string): string | null {
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
  const sessionToken = readCookie(opts.headers.get('cookie'), SESSION_COOKIE);
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
      opts.appendHeader('set-cookie', sessionCookie(value, maxAge, !!opts.secureCookies));
      opts.appendHeader('set-cookie', csrfCookie(value && csrfTokenFor(value), maxAge, !!opts.secureCookies));
    },
  };
}

/** The session cookie: scripts cannot read it (HttpOnly); Secure when the dashboard is served over https. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

/** The CSRF cookie beside it: readable by the dashboard's scripts, which send it back as a header. */
export function csrfCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  const attrs = [`${CSRF_COOKIE}=${token}`, 'Path=/', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}
