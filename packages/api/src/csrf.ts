import { createHmac, timingSafeEqual } from 'node:crypto';

export { CSRF_COOKIE, CSRF_HEADER } from './csrf-names.ts';

/**
 * The CSRF token of a session: HMAC-SHA256 keyed by the session token itself, so it is bound to
 * that session, needs no server state or key, and is useless without the session cookie (which
 * scripts cannot read: HttpOnly). It is not the SHA-256 the sessions table stores, so a copy of
 * the database does not give it either.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('berth csrf v1').digest('base64url');
}

export function csrfTokenMatches(sessionToken: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const want = Buffer.from(csrfTokenFor(sessionToken));
  const got = Buffer.from(presented);
  return got.length === want.length && timingSafeEqual(got, want);
}
