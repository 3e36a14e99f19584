// Domain errors of the container engine, by code; the agent maps codes to protocol errors
// (conflict → 409, not-found → 404, invalid → 400) the way Docker's API does.

export type ContainerErrorCode = 'conflict' | 'not-found' | 'invalid' | 'runtime';

export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  constructor(
    readonly code: ContainerErrorCode,
    message: string,
    /** The container the error is about, when there is one. */
    readonly containerId: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const conflict = (message: string, id: string | null = null) => new ContainerError('conflict', message, id);
export const notFound = (ref: string) => new ContainerError('not-found', `No such container: ${ref}`, null);
export const invalid = (message: string, id: string | null = null) => new ContainerError('invalid', message, id);
