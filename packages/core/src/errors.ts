/**
 * Domain errors: thrown below the API with a code, mapped to HTTP/tRPC codes only in the
 * API's error formatter. Messages say what was wrong and what to do next.
 */
export type AppErrorCode =
  | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'HOST_UNAVAILABLE' | 'AGENT_ERROR' | 'TIMEOUT';

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
