'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { HostRow } from '../lib/api-types.ts';
import { parseHostLabel } from '../lib/labels.ts';
import { hasRole, useHostRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { refresh as refreshQueries } from '../lib/refresh.ts';

/**
 * The host's labels, which services' placement constraints match (node.labels.KEY==VALUE);
 * an admin adds and removes them (`berth host update --label-add/--label-rm`).
 */
export function HostLabels({ host }: { host: Pick<HostRow, 'name' | 'labels'> }) {
  const client = useQueryClient();
  const admin = hasRole(useHostRole(host.name), 'admin');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const parsed = parseHostLabel(text);
  const refresh = () => {
    void refreshQueries(client, ['host', host.name]);
    void refreshQueries(client, ['hosts']);
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if ('error' in parsed) return;
    setBusy(true);
    setError(null);
    try {
      await api.hosts.label.mutate({ host: host.name, add: { [parsed.key]: parsed.value }, remove: [] });
      setText('');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      refresh();
    }
  };
  const labels = Object.entries(host.labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="host-labels-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="host-labels-heading" className="text-sm font-medium">Labels <span className="font-normal text-slate-500">(services&apos; constraints match them as node.labels.KEY)</span></h2>
      {labels.length === 0 ? <p className="mt-2 text-sm text-slate-500">No labels.</p> : (
        <ul aria-label="Host labels" className="mt-2 flex flex-wrap gap-3">
          {labels.map(([k, v]) => (
            <li key={k} className="flex items-start gap-1.5">
              <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs dark:bg-slate-800">{k}={v}</code>
              {admin && (
                <ConfirmAction
                  label={`Remove label ${k}`}
                  button="✕"
                  className=""
                  question={`Remove ${k} from ${host.name}? Replicas constrained on it may move.`}
                  action={() => api.hosts.label.mutate({ host: host.name, add: {}, remove: [k] })}
                  onSettled={refresh}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {admin && (
        <form onSubmit={add} aria-label={`Add a label to ${host.name}`} className="mt-3 flex flex-wrap items-start gap-2">
          <Field label="New label" error={text.trim() && 'error' in parsed ? parsed.error : null} hint="KEY=VALUE; an existing key takes the new value" className="w-64">
            <input value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!!text.trim() && 'error' in parsed} placeholder="zone=eu" spellCheck={false} autoComplete="off" className={`${inputClass} font-mono`} />
          </Field>
          <Button type="submit" className="mt-6" disabled={busy || !text.trim() || 'error' in parsed}>{busy ? 'Adding…' : 'Add label'}</Button>
          {error && <Notice tone="error" className="mt-6">{error}</Notice>}
        </form>
      )}
    </section>
  );
}
