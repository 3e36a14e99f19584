/** A volume's name as Docker allows it (and the API checks again). */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** KEY=value a line into labels, or the first line that is not one. */
export function parseLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { error: `"${line}" is not KEY=value` };
    labels[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { labels };
}

// the server's rule (packages/core hosts/service.ts), said before asking it
const LABEL_KEY = /^[a-zA-Z0-9]([a-zA-Z0-9._/-]{0,126}[a-zA-Z0-9])?$/;

/** A host label as `docker node update --label-add` takes it: KEY=VALUE (or a bare KEY, empty value). */
export function parseHostLabel(text: string): { key: string; value: string } | { error: string } {
  const t = text.trim();
  const eq = t.indexOf('=');
  const key = (eq < 0 ? t : t.slice(0, eq)).trim();
  if (!key) return { error: 'write KEY=VALUE, e.g. zone=eu' };
  if (!LABEL_KEY.test(key)) return { error: `"${key}": a label key is letters, digits, . _ / -, at most 128, starting and ending with a letter or digit` };
  const value = eq < 0 ? '' : t.slice(eq + 1).trim();
  if (value.length > 256) return { error: 'a label value is at most 256 characters' };
  return { key, value };
}
