import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSRF_COOKIE, CSRF_HEADER, csrfCookie, csrfTokenFor, csrfTokenMatches, readCookie, SESSION_COOKIE } from '@berth/api';
import { SESSION_TTL_MS } from '@berth/core';

/**
 * Where the dashboard is served from, as browsers name it: the gateway's own origin (the Host
 * header with the scheme this server speaks) and the public URLs it is reached at through a
 * reverse proxy (BERTH_PUBLIC_URL).
 */
export interface OriginPolicy {
  tls: boolean;
  publicOrigins: readonly string[];
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function ownOrigins(req: IncomingMessage, policy: OriginPolicy): string[] {
  const out = [...policy.publicOrigins];
  const host = req.headers.host;
  if (host) {
    try {
      out.push(new URL(`${policy.tls ? 'https' : 'http'}://${host}`).origin);
    } catch {
      // a Host that does not parse matches nothing
    }
  }
  return out;
}

function isOwnOrigin(origin: string, req: IncomingMessage, policy: OriginPolicy): boolean {
  let parsed: string;
  try {
    parsed = new URL(origin).origin;
  } catch {
    return false;
  }
  return parsed !== 'null' && ownOrigins(req, policy).includes(parsed);
}

/** The Origin header, or else the origin of the Referer; "null" when the browser hides it or it does not parse. */
function requestOrigin(req: IncomingMessage): string | null {
  if (req.headers.origin) return req.headers.origin;
  const referer = req.headers.referer;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

const hasBearer = (req: IncomingMessage) => /^Bearer\s+\S+$/i.test(req.headers.authorization ?? '');
/** The session token when the request is authenticated by the cookie (a bearer token wins over it, as in the API's context). */
const cookieSession = (req: IncomingMessage) => (hasBearer(req) ? null : readCookie(req.headers.cookie ?? null, SESSION_COOKIE));

/** A page of another site (or an origin that does not parse, such as "null"); an absent Origin is not cross-site here. */
export function crossSite(req: IncomingMessage, policy: OriginPolicy): boolean {
  const origin = req.headers.origin;
  return !!origin && !isOwnOrigin(origin, req, policy);
}

function foreign(origin: string, req: IncomingMessage, policy: OriginPolicy): string {
  return `cross-site request refused: it comes from ${origin}, not from this control plane (${ownOrigins(req, policy).join(', ') || 'no Host header'}); behind a reverse proxy, set BERTH_PUBLIC_URL to the address users open`;
}

/**
 * Why a state-changing HTTP request is refused as a possible cross-site request forgery, or
 * null. Bearer-token requests are exempt: a browser never adds that header by itself. For the
 * rest, (a) an Origin (or Referer) that is present must be this control plane's, which also
 * covers sign-in, before any session exists; a request carrying the session cookie must have
 * one; and (b) a cookie-authenticated request must carry the session's CSRF token in the
 * x-berth-csrf header, which only the dashboard's own scripts can read (from the berth_csrf cookie).
 */
export function csrfRefusal(req: IncomingMessage, policy: OriginPolicy): string | null {
  if (!UNSAFE_METHODS.has(req.method ?? 'GET') || hasBearer(req)) return null;
  const session = cookieSession(req);
  const origin = requestOrigin(req);
  if (origin === null) {
    return session
      ? 'cross-site request refused: a signed-in request that changes something must carry an Origin or Referer header, as browsers send; scripts should use an API token (Authorization: Bearer berth_…)'
      : null;
  }
  if (!isOwnOrigin(origin, req, policy)) return foreign(origin, req, policy);
  const token = req.headers[CSRF_HEADER];
  if (session && !csrfTokenMatches(session, typeof token === 'string' ? token : null)) {
    return `cross-site request refused: the ${CSRF_HEADER} header is missing or does not belong to this session; reload the page`;
  }
  return null;
}

/**
 * Why a websocket upgrade (the terminal) is refused: browsers always send Origin on one, so a
 * cookie-authenticated upgrade must come from this control plane's origin; a bearer-token client
 * may omit Origin but not name another site.
 */
export function upgradeRefusal(req: IncomingMessage, policy: OriginPolicy): string | null {
  const origin = req.headers.origin;
  if (origin) return isOwnOrigin(origin, req, policy) ? null : foreign(origin, req, policy);
  return cookieSession(req) ? 'cross-site request refused: a signed-in websocket must carry an Origin header, as browsers send; scripts should use an API token (Authorization: Bearer berth_…)' : null;
}

/**
 * Sets the berth_csrf cookie when a request carries a session cookie without the matching CSRF
 * cookie (sessions opened before CSRF tokens existed, or a cookie the user deleted), so the
 * dashboard has the token from its first page load on. The value derives from what the browser
 * already holds: there is nothing to leak to whoever sends the cookie.
 */
export function refreshCsrfCookie(req: IncomingMessage, res: ServerResponse, secure: boolean): void {
  const session = readCookie(req.headers.cookie ?? null, SESSION_COOKIE);
  if (!session) return;
  const token = csrfTokenFor(session);
  if (readCookie(req.headers.cookie ?? null, CSRF_COOKIE) === token) return;
  res.appendHeader('set-cookie', csrfCookie(token, SESSION_TTL_MS / 1000, secure));
}
