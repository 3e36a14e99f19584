/**
 * The audit action a procedure declares in its meta: a name, or a function of its raw input (not
 * yet validated: a refusal comes before the input is parsed) for a procedure whose action
 * depends on it, such as `container.${verb}`.
 */
export type AuditAction = string | ((input: unknown) => string);

/** Longer than any action name: a function that returns more is not trusted with the entry. */
const MAX_ACTION = 64;

/**
 * The action a refused mutation is recorded under: the one its meta declares, so that the
 * refusal and a success share one name (`container.create`); else, or when the function throws
 * or returns no usable name, the procedure's path (`containers.wait`).
 */
export function refusalAction(meta: { action?: AuditAction } | undefined, path: string, rawInput: unknown): string {
  const action = meta?.action;
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    try {
      const name: unknown = action(rawInput);
      if (typeof name === 'string' && name.length > 0 && name.length <= MAX_ACTION) return name;
    } catch {
      // a malformed input: the path still says what was refused
    }
  }
  return path;
}

/**
 * The string field `key` of a raw input when it is one of `allowed`: for an action function,
 * which must not put arbitrary input in the audit log.
 */
export function rawChoice<T extends string>(input: unknown, key: string, allowed: readonly T[]): T | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const value = (input as Record<string, unknown>)[key];
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

// refusals a procedure recorded itself, kept out of the error's details (which reach the client)
const recorded = new WeakSet<Error>();

/** Marks a refusal the procedure has recorded itself, with more to say, so that the middleware does not record it again. */
export function refusalRecorded<E extends Error>(err: E): E {
  recorded.add(err);
  return err;
}

export const isRefusalRecorded = (err: Error): boolean => recorded.has(err);
