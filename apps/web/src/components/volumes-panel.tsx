'use client';
import { Button, Field, inputClass, Notice, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import type { VolumeRow } from '../lib/api-types.ts';
import { isoAgo } from '../lib/format.ts';
import { parseLabels, VOLUME_NAME } from '../lib/labels.ts';
import { hasRole, useRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { ResultNotice, type Result } from './result-notice.tsx';
import { UnavailableHosts } from './unavailable-hosts.tsx';

function RemoveVolume({ volume, onResult }: { volume: VolumeRow; onResult: (r: Result) => void }) {
  const client = useQueryClient();
  return (
    <ConfirmAction
      label={`Remove ${volume.name}`}
      question={`Remove ${volume.name} and its data?`}
      action={async () => {
        await api.volumes.remove.mutate({ host: volume.host, name: volume.name });
        onResult({ tone: 'info', lines: [`Removed volume ${volume.name} from ${volume.host}`] });
      }}
      onSettled={() => {
        void client.invalidateQueries({ queryKey: ['volumes'] });
        void client.invalidateQueries({ queryKey: ['df'] });
      }}
    />
  );
}

function CreateVolume({ host, hosts, onResult }: { host?: string; hosts: string[]; onResult: (r: Result) => void }) {
  const client = useQueryClient();
  const [target, setTarget] = useState('');
  const [name, setName] = useState('');
  const [labelText, setLabelText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = host ?? (target || hosts[0] || '');
  const nameError = name.trim() && !VOLUME_NAME.test(name.trim()) ? 'a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]+' : null;
  const parsed = parseLabels(labelText);
  const labelError = 'error' in parsed ? parsed.error : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (nameError || 'error' in parsed || !chosen) return;
    setBusy(true);
    setError(null);
    try {
      const v = await api.volumes.create.mutate({ host: chosen, ...(name.trim() ? { name: name.trim() } : {}), labels: parsed.labels });
      onResult({ tone: 'info', lines: [`Created volume ${v.name} on ${chosen}`] });
      setName('');
      setLabelText('');
      void client.invalidateQueries({ queryKey: ['volumes'] });
      void client.invalidateQueries({ queryKey: ['df'] });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Create a volume" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        {!host && (
          <Field label="Host" className="w-40">
            <select value={chosen} onChange={(e) => setTarget(e.target.value)} className={inputClass}>
              {hosts.length === 0 && <option value="">no host online</option>}
              {hosts.map((h) => <option key={h} value={h}>{h}</option>)}
            </select>
          </Field>
        )}
        <Field label="Volume name" error={nameError} hint="optional: a random one otherwise" className="min-w-48 flex-1">
          <input value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!nameError} placeholder="data" spellCheck={false} autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Labels" error={labelError} hint="one KEY=value a line" className="min-w-48 flex-1">
          <textarea value={labelText} onChange={(e) => setLabelText(e.target.value)} aria-invalid={!!labelError} rows={1} spellCheck={false} placeholder="team=web" className={`${inputClass} font-mono`} />
        </Field>
        <Button type="submit" variant="primary" className="mt-6" disabled={busy || !!nameError || !!labelError || !chosen}>{busy ? 'Creating…' : 'Create'}</Button>
      </div>
      {error && <Notice tone="error" className="mt-3">{error}</Notice>}
    </form>
  );
}

/** `docker volume ls` for the fleet or one host, with create, remove and prune. */
export function VolumesPanel({ host }: { host?: string }) {
  const client = useQueryClient();
  const role = useRole();
  const operator = hasRole(role, 'operator');
  const [result, setResult] = useState<Result | null>(null);
  const [pruneHost, setPruneHost] = useState('');
  const [pruneAll, setPruneAll] = useState(false);
  const [pruning, setPruning] = useState(false);
  const list = useQuery({
    queryKey: ['volumes', host ?? '*'],
    queryFn: () => api.volumes.list.query(host ? { host } : {}),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => api.hosts.list.query(), enabled: !host });
  const online = (hosts.data ?? []).filter((h) => h.status === 'online' || h.status === 'degraded').map((h) => h.name);
  const pruneOn = host ?? (pruneHost || online[0] || '');
  const rows = useMemo(() => [...(list.data?.volumes ?? [])].sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name)), [list.data]);

  const prune = async () => {
    if (!pruneOn) return;
    setPruning(true);
    try {
      const r = await api.volumes.prune.mutate({ host: pruneOn, all: pruneAll });
      setResult({ tone: 'info', lines: r.deleted.length ? ['Deleted Volumes:', ...r.deleted] : [`No unused ${pruneAll ? '' : 'anonymous '}volumes to prune on ${pruneOn}`] });
    } catch (err) {
      setResult({ tone: 'error', lines: [errorMessage(err)] });
    } finally {
      setPruning(false);
      void client.invalidateQueries({ queryKey: ['volumes'] });
      void client.invalidateQueries({ queryKey: ['df'] });
    }
  };

  const columns: Column<VolumeRow>[] = [
    { key: 'name', header: 'Volume name', cell: (v) => <span title={v.mountpoint} className="break-all font-medium">{v.name}{v.anonymous && <span className="ml-1.5 text-xs font-normal text-slate-500">anonymous</span>}</span> },
    { key: 'driver', header: 'Driver', cell: (v) => v.driver },
    ...(host ? [] : [{ key: 'host', header: 'Host', cell: (v: VolumeRow) => <Link href={`/hosts/${encodeURIComponent(v.host)}#volumes`} className="hover:underline">{v.host}</Link> }]),
    { key: 'used', header: 'Used by', cell: (v) => (v.usedBy.length ? v.usedBy.join(', ') : <span className="text-slate-500">—</span>) },
    { key: 'labels', header: 'Labels', cell: (v) => Object.entries(v.labels).map(([k, val]) => <div key={k}><code className="text-xs">{k}={val}</code></div>) },
    { key: 'created', header: 'Created', cell: (v) => <span title={new Date(v.createdAt).toLocaleString()}>{isoAgo(v.createdAt)}</span>, className: 'whitespace-nowrap' },
    ...(operator ? [{ key: 'actions', header: 'Actions', cell: (v: VolumeRow) => <RemoveVolume volume={v} onResult={setResult} /> }] : []),
  ];

  return (
    <section aria-label="Volumes">
      {operator && <CreateVolume {...(host ? { host } : {})} hosts={online} onResult={setResult} />}
      <ResultNotice result={result} onDismiss={() => setResult(null)} />
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        {operator && (
          <div role="group" aria-label="Prune volumes" className="flex flex-wrap items-center gap-2">
            {!host && online.length > 1 && (
              <select aria-label="Host to prune" value={pruneOn} onChange={(e) => setPruneHost(e.target.value)} className={`${inputClass} w-auto py-0.5`}>
                {online.map((h) => <option key={h} value={h}>{h}</option>)}
              </select>
            )}
            <label className="flex items-center gap-1.5"><input type="checkbox" checked={pruneAll} onChange={(e) => setPruneAll(e.target.checked)} /> named ones too (--all)</label>
            <button type="button" onClick={() => void prune()} disabled={pruning || !pruneOn} className="text-sky-700 hover:underline disabled:opacity-50 dark:text-sky-400">
              {pruning ? 'Pruning…' : `Prune unused volumes${host || online.length <= 1 ? (pruneOn ? ` on ${pruneOn}` : '') : ''}`}
            </button>
          </div>
        )}
        <span className="ml-auto text-slate-500">{list.isFetching ? 'Refreshing…' : list.data ? `${rows.length} shown` : ''}</span>
      </div>
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <UnavailableHosts hosts={list.data?.unavailable} />
      <Table<VolumeRow>
        label="Volumes"
        rows={rows}
        rowKey={(v) => `${v.hostId}/${v.name}`}
        empty={list.isLoading ? 'Loading…' : 'No volumes.'}
        columns={columns}
      />
    </section>
  );
}
