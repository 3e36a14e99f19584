import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets handed to users (session cookies, API tokens, join tokens, invitations) are random and
 * stored only as sha256: a copy of the database does not let anyone in.
 */
export type TokenKind = 'session' | 'api' | 'join' | 'invitation';
const PREFIX: Record<TokenKind, string> = { session: 'bs_', api: 'berth_', join: 'bj_', invitation: 'bi_' };

export function generateToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(24).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function tokenKind(token: string): TokenKind | null {
  for (const [kind, prefix] of Object.entries(PREFIX)) if (token.startsWith(prefix)) return kind as TokenKind;
  return null;
}
