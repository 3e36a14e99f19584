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
