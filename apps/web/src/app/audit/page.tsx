'use client';
import { Button, Field, inputClass, Table } from '@berth/ui';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { actionSuggestions, auditCsvHref, auditInput, EMPTY_AUDIT_FORM, type AuditForm } from '../../lib/audit-filter.ts';
import { AppShell } from '../../lib/app-shell.tsx';
import { useDebounced } from '../../lib/use-debounced.ts';
import { api, errorMessage } from '../../lib/trpc.ts';

type Entry = Awaited<ReturnType<typeof api.audit.list.query>>[number];

const PAGE = 100;

function AuditFilters({ form, onChange }: { form: AuditForm; onChange: (f: AuditForm) => void }) {
  const set = (k: keyof AuditForm) => (e: { target: { value: string } }) => onChange({ ...form, [k]: e.target.value });
  const actions = useQuery({ queryKey: ['audit-actions'], queryFn: () => api.audit.actions.query(), staleTime: 60_000 });
  return (
    <form role="search" aria-label="Filter the audit log" className="mb-4 grid grid-cols-2 gap-3 md:grid-cols-6" onSubmit={(e) => e.preventDefault()}>
      <Field label="User"><input className={inputClass} value={form.user} onChange={set('user')} placeholder="any" /></Field>
      <Field label="Host"><input className={inputClass} value={form.host} onChange={set('host')} placeholder="any" /></Field>
      <Field label="Action" hint="a prefix: container., image.pull">
        <input className={inputClass} value={form.action} onChange={set('action')} placeholder="any" list="audit-actions" />
      </Field>
      <datalist id="audit-actions">
        {actionSuggestions(actions.data ?? []).map((a) => <option key={a} value={a} />)}
      </datalist>
      <Field label="Outcome">
        <select className={inputClass} value={form.outcome} onChange={set('outcome')}>
          <option value="">any</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
          <option value="refused">refused</option>
        </select>
      </Field>
      <Field label="From"><input type="datetime-local" className={inputClass} value={form.from} onChange={set('from')} /></Field>
      <Field label="To"><input type="datetime-local" className={inputClass} value={form.to} onChange={set('to')} /></Field>
    </form>
  );
}

/**
 * The audit log, newest first: filtered on the server (user, host, action prefix, outcome, time
 * range), a page of 100 at a time going back with "Older entries", and the same selection as CSV.
 */
function AuditLog() {
  const [form, setForm] = useState<AuditForm>(EMPTY_AUDIT_FORM);
  const filter = useDebounced(form, 250);
  /** the id each page reads before; empty: the newest page */
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors.at(-1);
  const change = (f: AuditForm) => {
    setForm(f);
    setCursors([]);
  };
  const input = { ...auditInput(filter), limit: PAGE, ...(before ? { before } : {}) };
  const entries = useQuery({
    queryKey: ['audit', JSON.stringify(input)],
    queryFn: () => api.audit.list.query(input),
    // the newest page follows what is being done; older pages do not change
    refetchInterval: before ? false : 5000,
    placeholderData: keepPreviousData,
  });
  const rows = entries.data ?? [];
  const filtered = Object.keys(auditInput(filter)).length > 0;
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <a href={auditCsvHref(filter)} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800">
          Download CSV
        </a>
      </div>
      <AuditFilters form={form} onChange={change} />
      {entries.error && <p role="alert" className="mb-3 text-rose-600">{errorMessage(entries.error)}</p>}
      <Table<Entry>
        label="Audit log"
        rows={rows}
        rowKey={(e) => e.id}
        empty={entries.isLoading ? 'Loading…' : filtered ? 'No entry matches these filters.' : 'Nothing recorded yet.'}
        columns={[
          { key: 'at', header: 'When', cell: (e) => <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time> },
          { key: 'who', header: 'Who', cell: (e) => `${e.actorName} (${e.source})` },
          { key: 'action', header: 'Action', cell: (e) => <code>{e.action}</code> },
          { key: 'object', header: 'Object', cell: (e) => [e.hostName, e.objectType && `${e.objectType} ${e.objectId ?? ''}`].filter(Boolean).join(' · ') || '—' },
          { key: 'outcome', header: 'Outcome', cell: (e) => (e.outcome === 'ok' ? 'ok' : `${e.outcome}: ${e.error ?? ''}`) },
        ]}
      />
      <nav aria-label="Audit pages" className="mt-3 flex items-center justify-end gap-2 text-sm">
        {cursors.length > 0 && <Button onClick={() => setCursors([])}>Newest</Button>}
        {cursors.length > 0 && <Button onClick={() => setCursors((c) => c.slice(0, -1))}>Newer entries</Button>}
        <Button disabled={rows.length < PAGE} onClick={() => setCursors((c) => [...c, rows.at(-1)!.id])}>Older entries</Button>
      </nav>
    </>
  );
}

export default function AuditPage() {
  return (
    <AppShell>
      <AuditLog />
    </AppShell>
  );
}
