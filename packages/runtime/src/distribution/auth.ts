// WWW-Authenticate challenges (RFC 7235) and the registry token flow's scopes.

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface Challenge {
  /** Lowercased: basic, bearer. */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses every challenge of a WWW-Authenticate header:
 * `Bearer realm="https://auth",service="registry",scope="repository:a:pull", Basic realm="x"`.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?|\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s*,?/gy;
  let current: Challenge | undefined;
  let match: RegExpExecArray | null;
  while (re.lastIndex < header.length && (match = re.exec(header)) !== null) {
    if (match[0] === '') break;
    const [, key, quoted, bare, scheme] = match;
    if (scheme !== undefined) {
      current = { scheme: scheme.toLowerCase(), params: {} };
      challenges.push(current);
    } else if (key !== undefined && current) {
      current.params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
    }
  }
  return challenges;
}

export type ScopeAction = 'pull' | 'push';

/** `repository:library/nginx:pull` or `repository:x:pull,push`, as the token spec names scopes. */
export function repositoryScope(path: string, action: ScopeAction): string {
  return `repository:${path}:${action === 'push' ? 'pull,push' : 'pull'}`;
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
