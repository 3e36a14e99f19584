'use client';
import { Button, Field, inputClass, Notice, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import type { VolumeRow } from '../lib/api-types.ts';
import { isoAgo } from '../lib/format.ts';
import { parseLabels, VOLUME_NAME } from '../lib/labels.ts';
import { hasRole, useHostRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { useOnlineHosts } from '../lib/use-online-hosts.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { HostField } from './host-field.tsx';
import { PruneUnused } from './prune-unused.tsx';
import { ResultNotice, type Result } from './result-notice.tsx';
import { UnavailableHosts } from './unavailable-hosts.tsx';
import { refresh } from '../lib/refresh.ts';

/** Refreshes what a volume change alters: the lists and disk usage. */
function invalidateVolumes(client: ReturnType<typeof useQueryClient>): void {
  void refresh(client, ['volumes']);
  void refresh(client, ['df']);
}

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
      onSettled={() => invalidateVolumes(client)}
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
      invalidateVolumes(client);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Create a volume" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        {!host && <HostField hosts={hosts} value={chosen} onChange={setTarget} />}
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
  const role = useHostRole(host);
  const operator = hasRole(role, 'operator');
  const [result, setResult] = useState<Result | null>(null);
  const [pruneAll, setPruneAll] = useState(false);
  const list = useQuery({
    queryKey: ['volumes', host ?? '*'],
    queryFn: () => api.volumes.list.query(host ? { host } : {}),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
  const online = useOnlineHosts(!host);
  const rows = useMemo(() => [...(list.data?.volumes ?? [])].sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name)), [list.data]);

  const prune = async (on: string): Promise<Result> => {
    const r = await api.volumes.prune.mutate({ host: on, all: pruneAll });
    return { tone: 'info', lines: r.deleted.length ? ['Deleted Volumes:', ...r.deleted] : [`No unused ${pruneAll ? '' : 'anonymous '}volumes to prune on ${on}`] };
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
          <PruneUnused noun="volumes" host={host} online={online} prune={prune} onResult={setResult} onSettled={() => invalidateVolumes(client)}>
            <label className="flex items-center gap-1.5"><input type="checkbox" checked={pruneAll} onChange={(e) => setPruneAll(e.target.checked)} /> named ones too (--all)</label>
          </PruneUnused>
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
