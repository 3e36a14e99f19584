import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { auditFilterFromQuery } from '@berth/api';
import { AUDIT_CSV_HEADER, auditCsvRecord, auditEntries, csvRecord, type FleetDispatcher } from '@berth/core';
import type { Db } from '@berth/db';
import { crossSite, type OriginPolicy } from './request-origin.ts';
import { requestActor } from './request-actor.ts';

/**
 * GET /api/audit/export.csv?user=&host=&action=&outcome=&from=&to=: the entries audit.list would
 * show for the same filters, every one of them, as CSV, newest first. Whoever may call audit.list
 * (a session cookie or an API token) may export; the rows are read and written a page at a time,
 * waiting for the client to drain, so a long log costs neither memory nor a long transaction.
 */
export async function exportAuditCsv(req: IncomingMessage, res: ServerResponse, o: { db: Db; fleet: FleetDispatcher; origins: OriginPolicy }): Promise<void> {
  const fail = (status: number, error: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
  if (req.method !== 'GET') return void fail(405, 'use GET /api/audit/export.csv?user=&host=&action=&outcome=&from=&to=');
  const actor = await requestActor(req, o);
  if (!actor) return void fail(401, 'sign in, or pass an API token (Authorization: Bearer berth_…)');
  if (crossSite(req, o.origins)) return void fail(403, 'cross-site export refused');
  let filter;
  try {
    filter = auditFilterFromQuery(new URL(req.url ?? '/', 'http://x').searchParams);
  } catch (err) {
    return void fail(400, (err as Error).message);
  }
  let closed = false;
  res.on('close', () => (closed = true));
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="berth-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
    'cache-control': 'no-store',
  });
  res.write(csvRecord(AUDIT_CSV_HEADER));
  try {
    for await (const e of auditEntries({ ...filter, viewer: actor }, o.db)) {
      if (closed) return;
      if (!res.write(auditCsvRecord(e))) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    res.end();
  } catch {
    // mid-export: the client sees a truncated download rather than a file that looks whole
    res.destroy();
  }
}
