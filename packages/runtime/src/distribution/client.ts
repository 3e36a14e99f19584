// An OCI Distribution API v2 client: manifests and blobs, pull and push, with the registry
// token flow, Basic auth, mirrors, insecure registries and credential-safe redirects.
import { createHash } from 'node:crypto';
import { basicAuthorization, parseChallenges, repositoryScope } from './auth.ts';
import type { Challenge, RegistryCredentials, ScopeAction } from './auth.ts';
import { RegistryError, registryErrorDetail } from './errors.ts';
import { isInsecureRegistry, registryEndpoints } from './hosts.ts';
import type { Endpoint, RegistryHostsConfig } from './hosts.ts';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from './manifest.ts';
import type { Descriptor } from './manifest.ts';
import { formatReference, repositoryName } from './reference.ts';
import type { Reference } from './reference.ts';

export interface DistributionClientOptions extends RegistryHostsConfig {
  /** Credentials for a registry domain (docker.io, 127.0.0.1:5000), looked up per request. */
  credentials?: (registry: string) => RegistryCredentials | undefined;
  /** Injected for tests (counting bytes, faults); defaults to the global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
  /** How long to wait for response headers, per request. */
  headersTimeoutMs?: number;
  maxRedirects?: number;
}

/** Per-call options. `credentials` overrides the client's lookup for this call. */
export interface RequestOptions {
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
}

/** A repository on a registry: the domain and path of a reference. */
export type Repository = Pick<Reference, 'domain' | 'path'>;

export interface FetchedManifest {
  /** Digest, media type and size of the bytes as served. */
  descriptor: Descriptor;
  bytes: Buffer;
  /** The endpoint that answered: blobs of this image are fetched there first. */
  endpoint: string;
}

export interface BlobResponse {
  body: ReadableStream<Uint8Array>;
  /** Where the body starts: the requested offset if the registry honoured Range, else 0. */
  offset: number;
  endpoint: string;
}

interface BearerRealm {
  realm: string;
  service?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
// Tokens without expires_in are good for 60 s by the token spec.
const DEFAULT_TOKEN_LIFETIME_S = 60;

function causeMessage(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.message;
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

export class DistributionClient {
  private readonly fetchFn: typeof fetch;
  /** What each origin asked for: Basic, or Bearer tokens from a realm. */
  private readonly authKinds = new Map<string, { kind: 'basic' } | ({ kind: 'bearer' } & BearerRealm)>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: DistributionClientOptions = {}) {
    this.fetchFn = options.fetch ?? fetch;
  }

  /** GET a manifest or index by tag or digest; the bytes are checked against a requested digest. */
  async getManifest(ref: Reference, opts: RequestOptions & { digest?: string; accept?: readonly string[] } = {}): Promise<FetchedManifest> {
    const wanted = opts.digest ?? ref.digest;
    const target = wanted ?? ref.tag ?? 'latest';
    const name = wanted && !ref.digest ? `${repositoryName(ref)}@${wanted}` : formatReference(ref);
    return this.tryEndpoints(ref, 'pull', undefined, async (endpoint) => {
      const res = await this.request(ref, endpoint, 'GET', `manifests/${target}`, 'pull', opts, {
        accept: (opts.accept ?? MANIFEST_ACCEPT).join(', '),
      });
      await this.expectOk(res, ref.domain, `manifest ${name}`);
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > MAX_MANIFEST_BYTES) {
        await res.body?.cancel();
        throw new RegistryError('INVALID_RESPONSE', ref.domain, `registry ${ref.domain} sent a ${declared}-byte manifest for ${name}: more than the ${MAX_MANIFEST_BYTES}-byte limit`);
      }
      const bytes = await readLimited(res, MAX_MANIFEST_BYTES, () => new RegistryError('INVALID_RESPONSE', ref.domain, `registry ${ref.domain} sent more than ${MAX_MANIFEST_BYTES} bytes for manifest ${name}`));
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (wanted && wanted !== digest) {
        throw new RegistryError('INVALID_RESPONSE', ref.domain, `registry ${ref.domain} answered ${name} with content of digest ${digest}: refusing content that does not match the requested digest`);
      }
      const header = res.headers.get('docker-content-digest');
      if (!wanted && header && header.startsWith('sha256:') && header !== digest) {
        throw new RegistryError('INVALID_RESPONSE', ref.domain, `registry ${ref.domain} said ${name} is ${header} but sent content of digest ${digest}`);
      }
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      return { descriptor: { mediaType, digest, size: bytes.length }, bytes, endpoint: endpoint.url };
    });
  }

  /**
   * GET a blob, from `offset` with a Range request when resuming. The caller verifies digest and
   * size while it streams (the content store does); `preferEndpoint` is where the manifest came from.
   */
  async getBlob(repo: Repository, digest: string, opts: RequestOptions & { offset?: number; preferEndpoint?: string } = {}): Promise<BlobResponse> {
    const offset = opts.offset ?? 0;
    return this.tryEndpoints(repo, 'pull', opts.preferEndpoint, async (endpoint) => {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      const res = await this.request(repo, endpoint, 'GET', `blobs/${digest}`, 'pull', opts, headers);
      await this.expectOk(res, repo.domain, `blob ${digest} of ${repositoryName(repo)}`);
      if (!res.body) throw new RegistryError('INVALID_RESPONSE', repo.domain, `registry ${repo.domain} sent no body for blob ${digest}`);
      let start = 0;
      if (res.status === 206) {
        const range = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
        if (!range || Number(range[1]) !== offset) {
          await res.body.cancel();
          throw new RegistryError('INVALID_RESPONSE', repo.domain, `registry ${repo.domain} answered a Range request for ${digest} from byte ${offset} with Content-Range ${JSON.stringify(res.headers.get('content-range'))}`);
        }
        start = offset;
      }
      return { body: res.body, offset: start, endpoint: endpoint.url };
    });
  }

  /**
   * The registry's repositories (GET /v2/_catalog), page by page as its Link headers lead, up
   * to `limit`: what `search` looks through. Registries that do not list their catalog (Docker
   * Hub) answer 401/404, reported as such.
   */
  async catalog(registry: string, opts: RequestOptions & { limit?: number } = {}): Promise<string[]> {
    const limit = opts.limit ?? 10_000;
    const repo: Repository = { domain: registry, path: '' };
    const endpoint = this.pushEndpoint(repo);
    const names: string[] = [];
    let url: URL | null = new URL(`${endpoint.url}/v2/_catalog?n=${Math.min(limit, 1000)}`);
    for (let pages = 0; url && names.length < limit && pages < 1000; pages++) {
      const res = await this.request(repo, endpoint, 'GET', url, { scope: 'registry:catalog:*' }, opts);
      await this.expectOk(res, registry, 'the repository catalog');
      const body = (await res.json().catch(() => null)) as { repositories?: unknown } | null;
      if (!body || !Array.isArray(body.repositories)) throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} answered its catalog with something that is not a repository list`);
      names.push(...body.repositories.filter((r): r is string => typeof r === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
      url = next ? new URL(next, endpoint.url) : null;
      // a registry may only page within itself
      if (url && url.origin !== new URL(endpoint.url).origin) url = null;
    }
    return names.slice(0, limit);
  }

  /** HEAD a blob: true if the repository has it. */
  async hasBlob(repo: Repository, digest: string, opts: RequestOptions = {}): Promise<boolean> {
    const endpoint = this.pushEndpoint(repo);
    const res = await this.request(repo, endpoint, 'HEAD', `blobs/${digest}`, 'push', opts);
    if (res.status === 404) return false;
    await this.expectOk(res, repo.domain, `blob ${digest} of ${repositoryName(repo)}`);
    return true;
  }

  /**
   * Uploads a blob unless the repository has it: a cross-repository mount from `mountFrom` (same
   * registry) first, then a monolithic upload. Returns how it got there.
   */
  async pushBlob(repo: Repository, desc: Descriptor, data: Buffer, opts: RequestOptions & { mountFrom?: string } = {}): Promise<'exists' | 'mounted' | 'uploaded'> {
    if (await this.hasBlob(repo, desc.digest, opts)) return 'exists';
    const endpoint = this.pushEndpoint(repo);
    const query = opts.mountFrom ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(opts.mountFrom)}` : '';
    const start = await this.request(repo, endpoint, 'POST', `blobs/uploads/${query}`, 'push', opts, { 'content-length': '0' });
    await start.body?.cancel();
    if (start.status === 201) return 'mounted';
    if (start.status !== 202) await this.expectOk(start, repo.domain, `upload of ${desc.digest} to ${repositoryName(repo)}`, [202]);
    const location = start.headers.get('location');
    if (!location) throw new RegistryError('INVALID_RESPONSE', repo.domain, `registry ${repo.domain} opened an upload for ${desc.digest} without a Location`);
    const url = new URL(location, `${endpoint.url}/v2/${repo.path}/`);
    url.searchParams.set('digest', desc.digest);
    const put = await this.request(repo, endpoint, 'PUT', url, 'push', opts, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }, data);
    await put.body?.cancel();
    if (put.status !== 201) await this.expectOk(put, repo.domain, `upload of ${desc.digest} to ${repositoryName(repo)}`, [201]);
    return 'uploaded';
  }

  /** PUT a manifest by tag or digest; returns the digest the registry reports. */
  async putManifest(ref: Reference, mediaType: string, bytes: Buffer, opts: RequestOptions = {}): Promise<string> {
    const endpoint = this.pushEndpoint(ref);
    const target = ref.tag ?? ref.digest;
    if (!target) throw new RegistryError('INVALID_RESPONSE', ref.domain, `cannot push ${repositoryName(ref)} without a tag or digest`);
    const res = await this.request(ref, endpoint, 'PUT', `manifests/${target}`, 'push', opts, { 'content-type': mediaType }, bytes);
    await this.expectOk(res, ref.domain, `manifest ${formatReference(ref)}`, [201]);
    await res.body?.cancel();
    return res.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  /**
   * Uploads a blob the repository lacks, streamed from `open` (never held whole in memory): HEAD
   * first, then a cross-repository mount from `mountFrom` (a repository path on the same
   * registry), then a chunked upload (POST, one PATCH per `chunkSize` bytes, PUT with the
   * digest). A registry that answers the mount with a new upload gets the bytes instead.
   */
  async uploadBlob(
    repo: Repository,
    desc: Descriptor,
    open: () => AsyncIterable<Uint8Array>,
    opts: RequestOptions & { mountFrom?: string; chunkSize?: number; onProgress?: (sent: number) => void } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    if (await this.hasBlob(repo, desc.digest, opts)) return 'exists';
    const what = `upload of ${desc.digest} to ${repositoryName(repo)}`;
    const endpoint = this.pushEndpoint(repo);
    const mount = opts.mountFrom && opts.mountFrom !== repo.path ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(opts.mountFrom)}` : '';
    const start = await this.request(repo, endpoint, 'POST', `blobs/uploads/${mount}`, 'push', opts, { 'content-length': '0' });
    if (start.status === 201 && mount) {
      await start.body?.cancel();
      return 'mounted';
    }
    await this.expectOk(start, repo.domain, what, [202]);
    await start.body?.cancel();
    const base = `${endpoint.url}/v2/${repo.path}/`;
    const locationOf = (res: Response): URL => {
      const location = res.headers.get('location');
      if (!location) throw new RegistryError('INVALID_RESPONSE', repo.domain, `registry ${repo.domain} answered the ${what} without a Location`);
      return new URL(location, base);
    };
    let url = locationOf(start);
    const chunkSize = opts.chunkSize ?? 16 * 1024 * 1024;
    let sent = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const patch = async (data: Buffer): Promise<void> => {
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(data.length), 'content-range': `${sent}-${sent + data.length - 1}` };
      const res = await this.request(repo, endpoint, 'PATCH', url, 'push', opts, headers, data);
      await this.expectOk(res, repo.domain, what, [202]);
      await res.body?.cancel();
      url = locationOf(res);
      sent += data.length;
      opts.onProgress?.(sent);
    };
    for await (const chunk of open()) {
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.length;
      if (sent + pendingBytes > desc.size) throw new RegistryError('INVALID_RESPONSE', repo.domain, `blob ${desc.digest} has more than the ${desc.size} bytes its descriptor says: not uploaded`);
      while (pendingBytes >= chunkSize) {
        const all = Buffer.concat(pending);
        pending = [all.subarray(chunkSize)];
        pendingBytes = all.length - chunkSize;
        await patch(all.subarray(0, chunkSize));
      }
    }
    const last = Buffer.concat(pending);
    if (sent + last.length !== desc.size) throw new RegistryError('INVALID_RESPONSE', repo.domain, `blob ${desc.digest} has ${sent + last.length} bytes, its descriptor says ${desc.size}: not uploaded`);
    url.searchParams.set('digest', desc.digest);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(last.length) };
    if (last.length > 0 && sent > 0) headers['content-range'] = `${sent}-${sent + last.length - 1}`;
    const put = await this.request(repo, endpoint, 'PUT', url, 'push', opts, headers, last);
    await this.expectOk(put, repo.domain, what, [201]);
    await put.body?.cancel();
    const stored = put.headers.get('docker-content-digest');
    if (stored && stored !== desc.digest) throw new RegistryError('INVALID_RESPONSE', repo.domain, `registry ${repo.domain} stored ${desc.digest} as ${stored}`);
    opts.onProgress?.(desc.size);
    return 'uploaded';
  }

  private pushEndpoint(repo: Repository): Endpoint {
    return registryEndpoints(repo.domain, this.options, 'push')[0] as Endpoint;
  }

  /** Runs `fn` on each endpoint in turn; a mirror's failure falls through to the next one. */
  private async tryEndpoints<T>(repo: Repository, purpose: 'pull' | 'push', prefer: string | undefined, fn: (e: Endpoint) => Promise<T>): Promise<T> {
    const endpoints = registryEndpoints(repo.domain, this.options, purpose);
    if (prefer) endpoints.sort((a, b) => Number(b.url === prefer) - Number(a.url === prefer));
    let last: unknown;
    for (const [i, endpoint] of endpoints.entries()) {
      try {
        return await fn(endpoint);
      } catch (err) {
        last = err;
        const isLast = i === endpoints.length - 1;
        if (isLast || !(err instanceof RegistryError) || !(endpoint.mirror || endpoint.url === prefer)) throw err;
      }
    }
    throw last;
  }

  /** Throws the RegistryError a non-2xx response means, naming `what` and the registry. */
  private async expectOk(res: Response, registry: string, what: string, ok: number[] = []): Promise<void> {
    if ((res.status >= 200 && res.status < 300 && ok.length === 0) || ok.includes(res.status)) return;
    const detail = res.status === 404 || res.bodyUsed ? '' : registryErrorDetail(await res.text().catch(() => ''));
    await res.body?.cancel().catch(() => {});
    const suffix = detail ? ` (${detail})` : '';
    if (res.status === 404) {
      throw new RegistryError('NOT_FOUND', registry, `${what} not found on registry ${registry}: check the repository name and tag`, 404);
    }
    if (res.status === 401) {
      throw new RegistryError('UNAUTHORIZED', registry, `registry ${registry} refused access to ${what}: the repository does not exist or needs credentials${suffix}`, 401);
    }
    if (res.status === 403) throw new RegistryError('DENIED', registry, `registry ${registry} denied access to ${what}${suffix}`, 403);
    throw new RegistryError('REQUEST_FAILED', registry, `registry ${registry} answered ${res.status} for ${what}${suffix}`, res.status);
  }

  /**
   * One API request with auth and redirects. A 401 is answered once (Basic, or a token for the
   * repository scope); a second 401 with credentials means the credentials are wrong.
   */
  private async request(
    repo: Repository,
    endpoint: Endpoint,
    method: string,
    path: string | URL,
    action: ScopeAction | { scope: string },
    opts: RequestOptions,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Response> {
    const url = typeof path === 'string' ? new URL(`${endpoint.url}/v2/${repo.path}/${path}`) : path;
    const credentials = opts.credentials ?? this.options.credentials?.(repo.domain);
    const scope = typeof action === 'string' ? repositoryScope(repo.path, action) : action.scope;
    let authorization = await this.authorizationFor(url.origin, scope, credentials, repo.domain, opts.signal);
    let res = await this.send(repo.domain, method, url, headers, authorization, body, opts.signal);
    if (res.status !== 401) return res;

    const header = res.headers.get('www-authenticate') ?? '';
    await res.body?.cancel().catch(() => {});
    this.learnChallenge(url.origin, parseChallenges(header), repo.domain);
    const retried = await this.authorizationFor(url.origin, scope, credentials, repo.domain, opts.signal, true);
    if (retried === undefined || retried === authorization) {
      if (!credentials) {
        throw new RegistryError('UNAUTHORIZED', repo.domain, `registry ${repo.domain} requires authentication for ${repositoryName(repo)}: log in to ${repo.domain} first`, 401);
      }
      throw new RegistryError('UNAUTHORIZED', repo.domain, `registry ${repo.domain} refused the credentials of user ${JSON.stringify(credentials.username)}: check the username and password`, 401);
    }
    authorization = retried;
    res = await this.send(repo.domain, method, url, headers, authorization, body, opts.signal);
    if (res.status === 401) {
      await res.body?.cancel().catch(() => {});
      if (credentials) {
        throw new RegistryError('UNAUTHORIZED', repo.domain, `registry ${repo.domain} refused the credentials of user ${JSON.stringify(credentials.username)} for ${repositoryName(repo)}: check the username and password`, 401);
      }
      throw new RegistryError('UNAUTHORIZED', repo.domain, `registry ${repo.domain} refused anonymous access to ${repositoryName(repo)}: the repository does not exist or needs credentials (log in to ${repo.domain})`, 401);
    }
    return res;
  }

  private learnChallenge(origin: string, challenges: Challenge[], registry: string): void {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      this.authKinds.set(origin, { kind: 'bearer', realm: bearer.params.realm as string, service: bearer.params.service });
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.authKinds.set(origin, { kind: 'basic' });
      return;
    }
    throw new RegistryError('UNAUTHORIZED', registry, `registry ${registry} answered 401 with no challenge berth supports (Basic or Bearer): ${JSON.stringify(challenges.map((c) => c.scheme))}`, 401);
  }

  /** The Authorization header for `origin` and `scope`, from what the origin asked for before. */
  private async authorizationFor(
    origin: string,
    scope: string,
    credentials: RegistryCredentials | undefined,
    registry: string,
    signal: AbortSignal | undefined,
    fresh = false,
  ): Promise<string | undefined> {
    const kind = this.authKinds.get(origin);
    if (!kind) return undefined;
    if (kind.kind === 'basic') return credentials ? basicAuthorization(credentials) : undefined;
    const key = `${kind.realm}|${kind.service ?? ''}|${scope}|${credentials?.username ?? ''}|${credentials ? createHash('sha256').update(credentials.password).digest('hex') : ''}`;
    const cached = this.tokens.get(key);
    if (cached && !fresh && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(kind, scope, credentials, registry, signal);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(realm: BearerRealm, scope: string, credentials: RegistryCredentials | undefined, registry: string, signal: AbortSignal | undefined): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm.realm);
    } catch {
      throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} named a token realm that is not a URL: ${JSON.stringify(realm.realm)}`);
    }
    if (realm.service) url.searchParams.set('service', realm.service);
    url.searchParams.set('scope', scope);
    const res = await this.send(registry, 'GET', url, {}, credentials ? basicAuthorization(credentials) : undefined, undefined, signal);
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => {});
      const who = credentials ? `the credentials of user ${JSON.stringify(credentials.username)}` : 'anonymous access';
      throw new RegistryError('UNAUTHORIZED', registry, `token server ${url.origin} of registry ${registry} refused ${who} for ${scope}: check the username and password`, res.status);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new RegistryError('REQUEST_FAILED', registry, `token server ${url.origin} of registry ${registry} answered ${res.status}`, res.status);
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new RegistryError('INVALID_RESPONSE', registry, `token server ${url.origin} of registry ${registry} answered something that is not JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new RegistryError('INVALID_RESPONSE', registry, `token server ${url.origin} of registry ${registry} returned no token`);
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    // Renew a little early so a token does not expire mid-request.
    return { token, expiresAt: Date.now() + Math.max(lifetime - 5, 1) * 1000 };
  }

  /**
   * fetch with redirects followed by hand: the Authorization header goes only to the origin it
   * was meant for, and an https→http downgrade is refused unless the target is insecure.
   */
  private async send(
    registry: string,
    method: string,
    url: URL,
    headers: Record<string, string>,
    authorization: string | undefined,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const origin = url.origin;
    let current = url;
    let currentMethod = method;
    const maxRedirects = this.options.maxRedirects ?? 5;
    for (let hop = 0; ; hop++) {
      const sameOrigin = current.origin === origin;
      const init: RequestInit = {
        method: currentMethod,
        redirect: 'manual',
        headers: {
          'user-agent': this.options.userAgent ?? 'berth',
          ...headers,
          ...(sameOrigin && authorization ? { authorization } : {}),
        },
        body: currentMethod === 'GET' || currentMethod === 'HEAD' ? undefined : body,
      };
      const res = await this.fetchWithTimeout(registry, current, init, signal);
      if (![301, 302, 303, 307, 308].includes(res.status)) return res;
      const location = res.headers.get('location');
      await res.body?.cancel().catch(() => {});
      if (!location) throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} redirected ${currentMethod} ${current.pathname} without a Location`);
      if (hop >= maxRedirects) throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} redirected ${method} ${url.pathname} more than ${maxRedirects} times`);
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} redirected to a ${next.protocol} URL`);
      }
      if (current.protocol === 'https:' && next.protocol === 'http:' && !isInsecureRegistry(next.host, this.options.insecureRegistries)) {
        throw new RegistryError('INVALID_RESPONSE', registry, `registry ${registry} redirected from https to plain http (${next.host}), which is not an insecure registry: refusing`);
      }
      if (res.status === 303) currentMethod = 'GET';
      current = next;
    }
  }

  private async fetchWithTimeout(registry: string, url: URL, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    // The timeout covers waiting for headers only: a big blob may take long to stream.
    const controller = new AbortController();
    const timeoutMs = this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.fetchFn(url, { ...init, signal: controller.signal });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const reason = controller.signal.aborted ? String((controller.signal.reason as Error).message) : causeMessage(err);
      throw new RegistryError('UNREACHABLE', registry, `registry ${registry} is unreachable at ${url.origin} (${reason}): check that it is running and the address is right`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Reads a response body up to `limit` bytes; more is an error (a manifest is never that big). */
async function readLimited(res: Response, limit: number, tooBig: () => Error): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > limit) {
      await res.body.cancel().catch(() => {});
      throw tooBig();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
