// Parameter names whose values never reach the audit log. Ids of secrets (joinTokenId) are
// not secrets and stay, so entries can be followed.
const SECRET = /pass(word|phrase)?|secret|token|(private|api|access).?key|credential|authorization|^auth$/i;
const IDENTIFIER = /(id|ids|name|count|uses)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET.test(key) && !IDENTIFIER.test(key);
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSecretKey(k) ? '[redacted]' : redact(v, depth + 1)]));
}
