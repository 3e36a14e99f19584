import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Writable } from 'node:stream';
import type { Api } from '../client.ts';
import { table } from '../format.ts';
import { UserError } from '../errors.ts';

/** `berth audit`'s filters, as the API and the CSV export take them. */
export interface AuditFilterFlags {
  user?: string;
  host?: string;
  action?: string;
  outcome?: string;
  since?: string;
  until?: string;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 2h`, `--until 2026-11-30T12:00:00Z`: a duration before now (as docker events takes it) or a date. */
export function instant(flag: string, v: string, now = Date.now()): Date {
  const rel = /^(\d+)([smhd])$/.exec(v);
  const d = rel ? new Date(now - Number(rel[1]) * UNIT_MS[rel[2]!]!) : new Date(v);
  if (Number.isNaN(d.getTime())) throw new UserError(`${flag} takes a date (2026-11-30, 2026-11-30T12:00:00Z) or a duration before now (90s, 10m, 2h, 7d), not ${JSON.stringify(v)}`);
  return d;
}

/** The filters as the API's input (and, stringified, as the export's query). */
export function auditFilter(f: AuditFilterFlags): { user?: string; host?: string; action?: string; outcome?: 'ok' | 'error' | 'refused'; from?: Date; to?: Date } {
  if (f.outcome !== undefined && !['ok', 'error', 'refused'].includes(f.outcome)) throw new UserError(`--outcome is ok, error or refused, not ${JSON.stringify(f.outcome)}`);
  return {
    ...(f.user ? { user: f.user } : {}),
    ...(f.host ? { host: f.host } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.outcome ? { outcome: f.outcome as 'ok' | 'error' | 'refused' } : {}),
    ...(f.since ? { from: instant('--since', f.since) } : {}),
    ...(f.until ? { to: instant('--until', f.until) } : {}),
  };
}

export async function auditListCommand(api: Api, o: { limit: number; json: boolean; filter?: AuditFilterFlags }): Promise<string> {
  const rows = await api.audit.list.query({ limit: o.limit, ...auditFilter(o.filter ?? {}) });
  if (o.json) return JSON.stringify(rows, null, 2) + '\n';
  return table(['ID', 'WHEN', 'WHO', 'SOURCE', 'ACTION', 'HOST', 'OBJECT', 'OUTCOME'],
    rows.map((e) => [e.id, e.at.toISOString(), e.actorName, e.source, e.action, e.hostName ?? '', [e.objectType, e.objectId].filter(Boolean).join(' '), e.outcome === 'ok' ? 'ok' : `${e.outcome}: ${e.error ?? ''}`]));
}

/**
 * `berth audit --format csv`: every matching entry (no --limit), streamed from the control
 * plane's export, so that the file is the one the dashboard's "Download CSV" gives.
 */
export async function auditCsvCommand(cp: { url: string; token: string }, filter: AuditFilterFlags, out: Writable): Promise<void> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(auditFilter(filter))) q.set(k, v instanceof Date ? v.toISOString() : v);
  const res = await fetch(`${cp.url}/api/audit/export.csv?${q}`, { headers: { authorization: `Bearer ${cp.token}` } });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new UserError(`audit: ${body?.error ?? `the control plane answered ${res.status}`}`);
  }
  await pipeline(Readable.fromWeb(res.body as WebReadableStream), out, { end: false });
}

export async function auditVerifyCommand(api: Api): Promise<string> {
  const r = await api.audit.verify.query();
  if (!r.ok) throw new UserError(`audit log tampered: entry ${r.problem!.id}: ${r.problem!.reason} (${r.checked} entries before it verified)`, 2);
  return `audit log intact: ${r.checked} entries verified\n`;
}
