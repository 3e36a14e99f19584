import { ContainerError, ContentError, ImageError, InvalidReferenceError, LayerError, NetworkError, RegistryError } from '@berth/runtime';
import { VolumeError } from '@berth/runtime/volumes/store';
import { HandlerError } from '../handlers/types.ts';

const CONTAINER: Record<string, string> = { conflict: 'conflict', 'not-found': 'not_found', invalid: 'invalid', runtime: 'runtime' };
const IMAGE: Record<string, string> = { NOT_FOUND: 'not_found', CONFLICT: 'conflict', PLATFORM_MISMATCH: 'invalid', INVALID_IMAGE: 'invalid' };
const REGISTRY: Record<string, string> = { NOT_FOUND: 'not_found', UNAUTHORIZED: 'registry_unauthorized', DENIED: 'registry_denied' };

/**
 * The engine's errors with protocol codes, so that "No such container" reaches the user as a
 * 404 and "name in use" as a 409 with Docker's own wording, not as an internal failure.
 */
export function toHandlerError(err: unknown): unknown {
  if (err instanceof HandlerError) return err;
  if (err instanceof ContainerError) return new HandlerError(CONTAINER[err.code] ?? 'runtime', err.message);
  if (err instanceof ImageError) return new HandlerError(IMAGE[err.code] ?? 'invalid', err.message);
  if (err instanceof VolumeError) return new HandlerError(CONTAINER[err.code] ?? 'invalid', err.message);
  if (err instanceof NetworkError) return new HandlerError(CONTAINER[err.code] ?? 'runtime', err.message);
  // A hostile or broken layer is the image's fault (400); a full disk is the host's (agent error).
  if (err instanceof LayerError) return new HandlerError(err.code === 'NO_SPACE' ? 'no_space' : 'invalid', err.message);
  if (err instanceof ContentError && err.code === 'NO_SPACE') return new HandlerError('no_space', err.message);
  if (err instanceof InvalidReferenceError) return new HandlerError('invalid', err.message);
  if (err instanceof RegistryError) return new HandlerError(REGISTRY[err.code] ?? 'registry', err.message);
  return err;
}

/** Runs an engine call, translating its errors. */
export async function engineCall<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw toHandlerError(err);
  }
}
