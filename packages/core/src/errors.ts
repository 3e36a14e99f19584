/**
 * Domain errors: thrown below the API with a code, mapped to HTTP/tRPC codes only in the
 * API's error formatter. Messages say what was wrong and what to do next.
 */
export type AppErrorCode =
  | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'HOST_UNAVAILABLE' | 'AGENT_ERROR' | 'TIMEOUT' | 'TOO_MANY_REQUESTS';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const FROM_AGENT: Record<string, AppErrorCode> = { not_found: 'NOT_FOUND', conflict: 'CONFLICT', invalid: 'INVALID', invalid_params: 'INVALID' };

/**
 * An agent's refusal as the API reports it: "no such container" stays a 404 and "in use"
 * a 409 whichever path (outbox or stream) carried it; anything else is the agent's failure.
 */
export function agentFailure(hostName: string, hostId: string, op: string, error: { code?: string; message?: string } | null | undefined): AppError {
  const code = (error?.code && FROM_AGENT[error.code]) || 'AGENT_ERROR';
  // agentMessage is the agent's own words, for whoever records the failure (the outbox) and
  // then prefixes the host itself
  return new AppError(code, `${hostName}: ${error?.message ?? `${op} failed`}`, { hostId, op, agentCode: error?.code, agentMessage: error?.message });
}
