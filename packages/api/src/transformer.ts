import superjson from 'superjson';

/**
 * The wire format of every answer: superjson's, as every client reads it. What is plain JSON
 * (objects and arrays of strings, finite numbers, booleans and null, no object met twice)
 * becomes `{ json }` after one quick walk: exactly what superjson.serialize gives for it, without
 * its walker, which builds a path and an identity entry per value (about 7 ms for a page of 50
 * containers on the 2-core machine, the largest part of containers.search's time in the gateway).
 * Anything else (a Date, undefined, a BigInt, NaN, a Map, a class instance, an object shared
 * between two places) goes to superjson, which keeps it as it is.
 */
export const transformer = {
  serialize(value: unknown): ReturnType<typeof superjson.serialize> {
    return isPlainJson(value, new Set()) ? { json: value as never } : superjson.serialize(value);
  },
  deserialize: superjson.deserialize,
};

function isPlainJson(v: unknown, seen: Set<object>): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    // superjson keeps -0, NaN and the infinities, which JSON cannot
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (seen.has(v)) return false;
      seen.add(v);
      if (Array.isArray(v)) {
        // a hole is undefined to superjson
        for (let i = 0; i < v.length; i++) if (!(i in v) || !isPlainJson(v[i], seen)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (!isPlainJson((v as Record<string, unknown>)[k], seen)) return false;
      return true;
    }
    default:
      return false; // undefined, bigint, symbol, function
  }
}
