// Image references, parsed and normalised as Docker does (distribution/reference's grammar and
// ParseNormalizedNamed): `nginx` is docker.io/library/nginx:latest.

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_MAX_LENGTH = 255;

// The grammar of github.com/distribution/reference (regexp.go), anchored piece by piece.
const ALPHA_NUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHA_NUMERIC}(?:${SEPARATOR}${ALPHA_NUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_NAME}|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;

const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX64_RE = /^[a-f0-9]{64}$/;

/** Hex lengths of the digest algorithms OCI registers (go-digest validates these). */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** A reference that does not follow the grammar; says which input and what is wrong. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  readonly code = 'INVALID_REFERENCE';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid reference ${JSON.stringify(input)}: ${reason}`);
  }
}

/** A fully qualified reference: domain and path always set, tag and/or digest. */
export interface Reference {
  /** Registry host as named: docker.io, ghcr.io, localhost:5000, 127.0.0.1:5000. */
  domain: string;
  /** Repository path within the registry: library/nginx, user/app. */
  path: string;
  /** Present unless the reference is by digest only. */
  tag?: string;
  /** sha256:<hex>, when the reference pins content. */
  digest?: string;
}

/** The reference, fully qualified: docker.io/library/nginx:latest, host/repo@sha256:… */
export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** domain/path: docker.io/library/nginx */
export function repositoryName(ref: Pick<Reference, 'domain' | 'path'>): string {
  return `${ref.domain}/${ref.path}`;
}

/** The repository as `docker images` prints it: nginx, user/app, localhost:5000/app. */
export function familiarRepository(ref: Pick<Reference, 'domain' | 'path'>): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : ref.path;
}

/** The reference as docker prints it: nginx:latest, user/app@sha256:… */
export function familiarString(ref: Reference): string {
  return `${familiarRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Checks `algorithm:hex` as go-digest does; returns the reason it is invalid, or null. */
export function digestProblem(digest: string): string | null {
  if (!DIGEST_RE.test(digest)) return `digest ${JSON.stringify(digest)} is not <algorithm>:<hex>`;
  const [algorithm, hex] = digest.split(':') as [string, string];
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `digest algorithm ${JSON.stringify(algorithm)} is not supported (use sha256 or sha512)`;
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) return `a ${algorithm} digest is ${length} lowercase hex characters, got ${JSON.stringify(hex)}`;
  return null;
}

/** Splits `name` into domain and remainder as Docker's splitDockerDomain does. */
function splitDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  // The first component names a registry only if it looks like a host: has a dot or a port,
  // is localhost, or has an uppercase letter (repository paths cannot).
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return { domain: DEFAULT_DOMAIN, remainder: name };
  }
  return { domain: first, remainder: name.slice(slash + 1) };
}

/**
 * Parses a reference as `docker pull` accepts it and fills in what Docker fills in:
 * docker.io for no registry, library/ for official images, :latest for no tag or digest.
 */
export function parseReference(input: string): Reference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input === '') fail('it is empty');
  if (input !== input.trim()) fail('it has leading or trailing whitespace');
  if (HEX64_RE.test(input)) fail('a repository name cannot be a 64-character hexadecimal string (that is an image ID)');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }

  // A colon after the last slash starts the tag; one before it belongs to host:port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      fail(`tag ${JSON.stringify(tag)} must be 1 to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'`);
    }
  }

  if (rest === '') fail('it has no repository name');
  const { domain: rawDomain, remainder } = splitDomain(rest);
  if (rest.includes('/') && rawDomain !== DEFAULT_DOMAIN && !DOMAIN_RE.test(rawDomain)) fail(`registry ${JSON.stringify(rawDomain)} is not a valid host[:port]`);
  if (remainder.toLowerCase() !== remainder) fail(`repository name ${JSON.stringify(remainder)} must be lowercase`);
  if (!PATH_RE.test(remainder)) {
    fail(`repository name ${JSON.stringify(remainder)} must be lowercase letters and digits, separated by '.', '_', '__' or '-', in '/'-separated components`);
  }

  const domain = rawDomain === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : rawDomain;
  const path = domain === DEFAULT_DOMAIN && !remainder.includes('/') ? `${OFFICIAL_REPO_PREFIX}${remainder}` : remainder;
  if (`${domain}/${path}`.length > NAME_MAX_LENGTH) fail(`repository name is longer than ${NAME_MAX_LENGTH} characters`);

  const ref: Reference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = DEFAULT_TAG;
  return ref;
}

/** Parses a reference that names a tag to create: digests are refused, as `docker tag` does. */
export function parseTagReference(input: string): Reference & { tag: string } {
  const ref = parseReference(input);
  if (ref.digest !== undefined) throw new InvalidReferenceError(input, 'a tag cannot be created with a digest reference; give repository[:tag]');
  return ref as Reference & { tag: string };
}
