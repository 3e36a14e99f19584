// A minimal OCI distribution client: one repository, answering 401 challenges once per request
// (Basic, as docker-registry with htpasswd asks, or the Bearer token flow).

export interface RegistryCredentials {
  username: string;
  password: string;
}

export class RegistryAuthError extends Error {
  override name = 'RegistryAuthError';
}

export class RegistryRequestError extends Error {
  override name = 'RegistryRequestError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (one challenge is all registries send). */
export function parseChallenge(header: string): Challenge {
  const match = /^\s*(\S+)\s*(.*)$/.exec(header);
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of (match?.[2] ?? '').matchAll(/([a-zA-Z_]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    if (key) params[key.toLowerCase()] = quoted ?? bare ?? '';
  }
  return { scheme: (match?.[1] ?? '').toLowerCase(), params };
}

function basic(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export class RegistryClient {
  private authorization: string | undefined;
  readonly baseUrl: string;

  constructor(
    registryUrl: string,
    readonly repo: string,
    private readonly credentials?: RegistryCredentials,
  ) {
    this.baseUrl = registryUrl.replace(/\/+$/, '');
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repo)) {
      throw new Error(`invalid repository name ${JSON.stringify(repo)}: lowercase path components separated by /`);
    }
  }

  /** `path` is relative to /v2/<repo>/ or an absolute URL (upload Locations). */
  url(path: string): URL {
    return new URL(path, `${this.baseUrl}/v2/${this.repo}/`);
  }

  async request(method: string, path: string | URL, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = typeof path === 'string' ? this.url(path) : path;
    const send = (): Promise<Response> =>
      fetch(url, {
        method,
        headers: { ...init.headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
        body: init.body,
      }).catch((err: Error) => {
        throw new Error(`${method} ${url.href} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`);
      });
    let res = await send();
    if (res.status === 401) {
      const before = this.authorization;
      await this.answerChallenge(res.headers.get('www-authenticate') ?? '', url);
      await res.body?.cancel();
      if (this.authorization !== before) res = await send();
      if (res.status === 401) {
        throw new RegistryAuthError(`${this.baseUrl} refused the credentials of user ${JSON.stringify(this.credentials?.username)} for ${method} ${url.pathname}`);
      }
    }
    return res;
  }

  /** Like request, but a status outside `ok` becomes an error carrying the registry's message. */
  async expect(method: string, path: string | URL, ok: number[], init?: { headers?: Record<string, string>; body?: Buffer }): Promise<Response> {
    const res = await this.request(method, path, init);
    if (!ok.includes(res.status)) {
      const text = method === 'HEAD' ? '' : (await res.text()).trim().slice(0, 500);
      throw new RegistryRequestError(`${method} ${res.url || String(path)} answered ${res.status} (expected ${ok.join(' or ')})${text ? `: ${text}` : ''}`, res.status);
    }
    return res;
  }

  private async answerChallenge(header: string, url: URL): Promise<void> {
    const challenge = parseChallenge(header);
    if (challenge.scheme === 'basic') {
      if (!this.credentials) {
        throw new RegistryAuthError(`${this.baseUrl} requires authentication (Basic realm ${JSON.stringify(challenge.params.realm ?? '')}): pass { username, password }`);
      }
      this.authorization = basic(this.credentials);
      return;
    }
    if (challenge.scheme === 'bearer' && challenge.params.realm) {
      this.authorization = `Bearer ${await this.fetchToken(challenge.params)}`;
      return;
    }
    throw new RegistryAuthError(`${url.href} answered 401 with an unsupported challenge: ${JSON.stringify(header)}`);
  }

  private async fetchToken(params: Record<string, string>): Promise<string> {
    const tokenUrl = new URL(params.realm as string);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? `repository:${this.repo}:pull,push`);
    const res = await fetch(tokenUrl, { headers: this.credentials ? { authorization: basic(this.credentials) } : {} });
    if (!res.ok) {
      throw new RegistryAuthError(`token server ${tokenUrl.origin}${tokenUrl.pathname} answered ${res.status}${this.credentials ? '' : ': pass { username, password }'}`);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryAuthError(`token server ${tokenUrl.origin} returned no token`);
    return token;
  }
}
