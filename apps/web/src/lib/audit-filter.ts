// The audit page's filters: as the form holds them (datetime-local strings, in the browser's
// time zone), as audit.list takes them, and as the CSV export's query string.

export interface AuditForm {
  user: string;
  host: string;
  action: string;
  outcome: '' | 'ok' | 'error' | 'refused';
  /** `YYYY-MM-DDTHH:MM` in local time, or '' */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FORM: AuditForm = { user: '', host: '', action: '', outcome: '', from: '', to: '' };

const instant = (local: string): Date | null => {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d;
};

/** audit.list's filter: blank fields left out, times as instants. */
export function auditInput(f: AuditForm): { user?: string; host?: string; action?: string; outcome?: 'ok' | 'error' | 'refused'; from?: Date; to?: Date } {
  const from = instant(f.from);
  const to = instant(f.to);
  return {
    ...(f.user.trim() ? { user: f.user.trim() } : {}),
    ...(f.host.trim() ? { host: f.host.trim() } : {}),
    ...(f.action.trim() ? { action: f.action.trim() } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** The export's URL for the same filters: the file holds exactly what the table can page through. */
export function auditCsvHref(f: AuditForm): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(auditInput(f))) q.set(k, v instanceof Date ? v.toISOString() : v);
  const s = q.toString();
  return `/api/audit/export.csv${s ? `?${s}` : ''}`;
}

/** What the action filter suggests: each domain as a prefix (`container.`), then each action the log holds. */
export function actionSuggestions(actions: string[]): string[] {
  const domains = [...new Set(actions.filter((a) => a.includes('.')).map((a) => `${a.slice(0, a.indexOf('.'))}.`))];
  return [...domains, ...actions];
}
