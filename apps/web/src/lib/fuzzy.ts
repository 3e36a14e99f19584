// Fuzzy matching for the command palette: the typed letters in order, anywhere in the label
// ("aud" → "Audit log", "vl" → "Volumes"), ranked so that prefixes, word starts and runs of
// consecutive letters come first.

/** A score (higher is better), or null when the letters of `query` are not all in `label`, in order. */
export function fuzzyScore(query: string, label: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const l = label.toLowerCase();
  if (l.startsWith(q)) return 1000 - l.length;
  const sub = l.indexOf(q);
  if (sub >= 0) return 800 - sub - l.length / 100;
  let score = 0;
  let at = -1;
  let run = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    const i = l.indexOf(ch, at + 1);
    if (i < 0) return null;
    run = i === at + 1 ? run + 1 : 0;
    const wordStart = i === 0 || /[\s\-_./:]/.test(l[i - 1]!);
    score += 10 + run * 5 + (wordStart ? 15 : 0) - Math.min(i - at - 1, 10);
    at = i;
  }
  return score;
}

/** `items` that match `query`, best first; ties keep their order. */
export function fuzzyFilter<T>(query: string, items: T[], label: (t: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, s: fuzzyScore(query, label(item)) }))
    .filter((x): x is { item: T; i: number; s: number } => x.s !== null)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.item);
}
