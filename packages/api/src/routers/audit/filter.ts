import { z } from 'zod';
import type { AuditFilter } from '@berth/core';

/**
 * The audit log's filters as callers give them: the audit.list input and the CSV export's query
 * string (its values arrive as strings, hence the coerced dates; an empty value means "any").
 */
export const AuditFilterInput = z.object({
  user: z.string().max(100).optional(),
  host: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  outcome: z.enum(['ok', 'error', 'refused']).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type AuditFilterInput = z.infer<typeof AuditFilterInput>;

/** The filter for the core query: blank values dropped. */
export function auditFilter(i: AuditFilterInput): AuditFilter {
  const f: AuditFilter = {};
  if (i.user?.trim()) f.user = i.user.trim();
  if (i.host?.trim()) f.host = i.host.trim();
  if (i.action?.trim()) f.action = i.action.trim();
  if (i.outcome) f.outcome = i.outcome;
  if (i.from) f.from = i.from;
  if (i.to) f.to = i.to;
  return f;
}

/** The export's query string (user=…&from=…), read with the same schema: one message naming what was wrong. */
export function auditFilterFromQuery(q: URLSearchParams): AuditFilter {
  const raw = Object.fromEntries([...q].filter(([k, v]) => v !== '' && k in AuditFilterInput.shape));
  const r = AuditFilterInput.safeParse(raw);
  if (!r.success) throw new Error(`invalid filter: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return auditFilter(r.data);
}
