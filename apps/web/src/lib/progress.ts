/**
 * A pull's layers or a push's blobs with `item` in place of the entry of its digest, or added
 * at the end when new: each keeps the place where it was first reported.
 */
export function withProgress<T extends { digest: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((p) => p.digest === item.digest);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}
