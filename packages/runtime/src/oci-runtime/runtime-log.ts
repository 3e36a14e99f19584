/**
 * The last error in a runtime's `--log-format json` log: runc and crun write one JSON
 * object per line ({"level":"error","msg":...}). Falls back to the last non-empty line.
 */
export function lastLoggedError(logText: string): string | null {
  const lines = logText.split('\n').map((l) => l.trim()).filter(Boolean);
  let lastMsg: string | null = null;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (typeof entry.msg !== 'string') continue;
      if (entry.level === 'error' || entry.level === 'fatal') return entry.msg;
      lastMsg ??= entry.msg;
    } catch {
      lastMsg ??= line;
    }
  }
  return lastMsg;
}
