export type Logger = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;

export function createLogger(min: keyof typeof ORDER): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] >= ORDER[min]) process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, component: 'agent', msg, ...fields }) + '\n');
  };
}
