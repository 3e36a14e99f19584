// The CLI trusts a control plane's own certificate (BERTH_CA_FILE, or the caFile `berth up`
// wrote in the config) through NODE_EXTRA_CA_CERTS: Node's fetch reads it only when the
// process starts, so the CLI runs itself once more with it set. Only then, and only once.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from './env.ts';

function configuredCa(): string | undefined {
  if (process.env.BERTH_CA_FILE) return process.env.BERTH_CA_FILE;
  // BERTH_URL without BERTH_CA_FILE is a control plane of the system's CAs
  if (process.env.BERTH_URL) return undefined;
  try {
    const c = JSON.parse(readFileSync(process.env.BERTH_CONFIG ?? DEFAULT_CONFIG, 'utf8')) as { url?: unknown; caFile?: unknown };
    return typeof c.caFile === 'string' && typeof c.url === 'string' && c.url.startsWith('https:') ? c.caFile : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the CLI again with the control plane's certificate trusted; null when it is trusted already. */
export function rerunTrusting(): number | null {
  const ca = configuredCa();
  if (!ca || process.env.NODE_EXTRA_CA_CERTS === ca) return null;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } });
  if (r.error) throw r.error;
  return r.status ?? (r.signal === 'SIGINT' ? 130 : 1);
}
