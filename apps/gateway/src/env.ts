import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  BIND: z.string().default('127.0.0.1'),
  BERTH_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
  BERTH_OFFLINE_AFTER_MS: z.coerce.number().int().min(500).default(15000),
  /** serve the dashboard from apps/web (off for headless gateways and some tests) */
  BERTH_WEB: z.enum(['0', '1']).default('1'),
  /** PEM files: with both set, the gateway serves https and wss itself */
  BERTH_TLS_CERT: z.string().optional(),
  BERTH_TLS_KEY: z.string().optional(),
  /** the address(es) users open the dashboard at when it is not this server's own (a TLS reverse proxy): comma-separated URLs */
  BERTH_PUBLIC_URL: z.string().optional(),
  /** 32 random bytes that seal secrets (registry passwords) in the database; `berth up` makes one */
  BERTH_SECRET_KEY_FILE: z.string().optional(),
  /** run the reconciler when this process holds the leader lease (0: never, for API-only gateways) */
  BERTH_RECONCILER: z.enum(['0', '1']).default('1'),
  /** how long a host may be offline before its service replicas are started elsewhere */
  BERTH_RESCHEDULE_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  BERTH_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type GatewayEnv = z.infer<typeof Env>;

/** Parses the environment once; a wrong value stops start-up with one line saying which. */
export function loadEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const r = Env.safeParse(source);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new Error(`configuration: ${first.path.join('.')} ${first.message}${first.path[0] === 'DATABASE_URL' ? ' (or leave it unset and let ./berth up run the embedded Postgres)' : ''}`);
  }
  if (!r.data.BERTH_TLS_CERT !== !r.data.BERTH_TLS_KEY) throw new Error('configuration: set both BERTH_TLS_CERT and BERTH_TLS_KEY (PEM files), or neither');
  parsePublicOrigins(r.data.BERTH_PUBLIC_URL);
  return r.data;
}

/** Parses BERTH_PUBLIC_URL: comma-separated http(s) URLs, of which only the origins count. */
export function parsePublicOrigins(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new Error(`configuration: BERTH_PUBLIC_URL: ${JSON.stringify(s)} is not a URL; give the address users open, such as https://berth.example.com`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`configuration: BERTH_PUBLIC_URL: ${s} must be an http:// or https:// URL`);
    return u.origin;
  });
}
