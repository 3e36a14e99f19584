import type { Api } from '../client.ts';
import { table } from '../format.ts';
import { UserError } from '../errors.ts';

export async function auditListCommand(api: Api, o: { limit: number; json: boolean }): Promise<string> {
  const rows = await api.audit.list.query({ limit: o.limit });
  if (o.json) return JSON.stringify(rows, null, 2) + '\n';
  return table(['ID', 'WHEN', 'WHO', 'SOURCE', 'ACTION', 'HOST', 'OBJECT', 'OUTCOME'],
    rows.map((e) => [e.id, e.at.toISOString(), e.actorName, e.source, e.action, e.hostName ?? '', [e.objectType, e.objectId].filter(Boolean).join(' '), e.outcome === 'ok' ? 'ok' : `${e.outcome}: ${e.error ?? ''}`]));
}

export async function auditVerifyCommand(api: Api): Promise<string> {
  const r = await api.audit.verify.query();
  if (!r.ok) throw new UserError(`audit log tampered: entry ${r.problem!.id}: ${r.problem!.reason} (${r.checked} entries before it verified)`, 2);
  return `audit log intact: ${r.checked} entries verified\n`;
}
