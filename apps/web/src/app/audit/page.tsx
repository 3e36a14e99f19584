'use client';
import { Table } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { AppShell } from '../../lib/app-shell.tsx';
import { api, errorMessage } from '../../lib/trpc.ts';

type Entry = Awaited<ReturnType<typeof api.audit.list.query>>[number];

function AuditLog() {
  const entries = useQuery({ queryKey: ['audit'], queryFn: () => api.audit.list.query({ limit: 200 }), refetchInterval: 5000 });
  if (entries.error) return <p role="alert" className="text-rose-600">{errorMessage(entries.error)}</p>;
  return (
    <>
      <h1 className="mb-4 text-2xl font-semibold">Audit log</h1>
      <Table<Entry>
        label="Audit log"
        rows={entries.data ?? []}
        rowKey={(e) => e.id}
        empty={entries.isLoading ? 'Loading…' : 'Nothing recorded yet.'}
        columns={[
          { key: 'at', header: 'When', cell: (e) => new Date(e.at).toLocaleString() },
          { key: 'who', header: 'Who', cell: (e) => `${e.actorName} (${e.source})` },
          { key: 'action', header: 'Action', cell: (e) => <code>{e.action}</code> },
          { key: 'object', header: 'Object', cell: (e) => [e.hostName, e.objectType && `${e.objectType} ${e.objectId ?? ''}`].filter(Boolean).join(' · ') || '—' },
          { key: 'outcome', header: 'Outcome', cell: (e) => (e.outcome === 'ok' ? 'ok' : `${e.outcome}: ${e.error ?? ''}`) },
        ]}
      />
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
