import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export interface ChainedFields {
  at: Date;
  actorId: string | null;
  actorName: string;
  source: string;
  remoteAddr: string | null;
  action: string;
  hostId: string | null;
  /** chained only when set: entries from before teams owned services hash as they did */
  teamId?: string | null;
  objectType: string | null;
  objectId: string | null;
  params: unknown;
  outcome: string;
  error: string | null;
}

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on key order. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function entryHash(prevHash: string, e: ChainedFields): string {
  const body = canonical({ ...e, teamId: e.teamId ?? undefined, at: e.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
