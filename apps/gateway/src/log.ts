/** One JSON line per event, on stderr; secrets are never passed in. */
export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;

export function createLogger(min: keyof typeof ORDER, component: string): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, component, msg, ...fields }) + '\n');
  };
}
