import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Where `berth up` writes the CLI's URL, token and certificate. */
export const DEFAULT_CONFIG = join(homedir(), '.config/berth/config.json');

const Env = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  BIND: z.string().default('127.0.0.1'),
  /** where `berth up` keeps the control plane's data (embedded Postgres, logs, pids) */
  BERTH_CONTROL_DIR: z.string().default('/var/lib/berth-control'),
  /** the local agent's state (images, containers, its key) */
  BERTH_STATE_DIR: z.string().default('/var/lib/berth'),
  BERTH_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  BERTH_URL: z.string().url().optional(),
  BERTH_TOKEN: z.string().optional(),
  BERTH_CONFIG: z.string().default(DEFAULT_CONFIG),
  /** the control plane's certificate, for a CLI talking to one that `berth up` did not make here */
  BERTH_CA_FILE: z.string().optional(),
  /** berth up: https/wss with a self-signed certificate; auto = when BIND is not a loopback address */
  BERTH_TLS: z.enum(['auto', '0', '1']).default('auto'),
  /** berth up: more DNS names or addresses its certificate is valid for, comma-separated */
  BERTH_TLS_NAMES: z.string().default(''),
  CI: z.string().optional(),
});
export type CliEnv = z.infer<typeof Env>;

export function loadEnv(): CliEnv {
  const r = Env.safeParse(process.env);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${i.path.join('.')} ${i.message}`);
  }
  return r.data;
}
