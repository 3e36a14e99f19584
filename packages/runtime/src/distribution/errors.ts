// Errors from talking to a registry. Each names the registry and the repository or reference it
// was about, and the code says what kind of failure it is so callers map it without parsing text.

export type RegistryErrorCode =
  /** Unknown repository, tag, manifest or blob. */
  | 'NOT_FOUND'
  /** No credentials, wrong credentials, or a token server that refused them. */
  | 'UNAUTHORIZED'
  /** Authenticated, but not allowed (403). */
  | 'DENIED'
  /** Connection refused, DNS failure, TLS failure, timeout. */
  | 'UNREACHABLE'
  /** The registry answered something that is not what the API promises. */
  | 'INVALID_RESPONSE'
  /** The registry answered an unexpected status (5xx, 429...). */
  | 'REQUEST_FAILED';

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: RegistryErrorCode,
    /** The registry as referenced: docker.io, 127.0.0.1:5000. */
    readonly registry: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The first error of a registry's JSON error body ({"errors":[{"code","message"}]}), if any. */
export function registryErrorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200);
}
