// The audit log as CSV (RFC 4180): what a spreadsheet or a SIEM import reads.
import type { AuditRow } from './query.ts';

// A cell a spreadsheet would evaluate (=HYPERLINK(…), +cmd, -2+3, @SUM, or a leading tab or CR
// that some strip before looking) is prefixed with a quote: it reads as text, never as a formula.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: formula-looking text defused, then quoted when it holds a comma, quote, CR or LF. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record, CRLF-terminated as RFC 4180 has it. */
export const csvRecord = (cells: ReadonlyArray<string | number | null | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`;

export const AUDIT_CSV_HEADER = ['id', 'at', 'actor', 'source', 'remote_addr', 'action', 'host', 'object_type', 'object_id', 'outcome', 'error', 'params'] as const;

export function auditCsvRecord(e: AuditRow): string {
  return csvRecord([e.id, e.at.toISOString(), e.actorName, e.source, e.remoteAddr, e.action, e.hostName, e.objectType, e.objectId, e.outcome, e.error, JSON.stringify(e.params ?? {})]);
}
