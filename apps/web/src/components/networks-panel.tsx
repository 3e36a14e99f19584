'use client';
import { Button, Field, inputClass, Notice, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import type { NetworkRow } from '../lib/api-types.ts';
import { isoAgo, shortId } from '../lib/format.ts';
import { isPredefinedNetwork, validateNetworkForm, type NetworkForm } from '../lib/networks.ts';
import { hasRole, useHostRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { useOnlineHosts } from '../lib/use-online-hosts.ts';
import { ConfirmAction } from './confirm-action.tsx';
import { HostField } from './host-field.tsx';
import { PruneUnused } from './prune-unused.tsx';
import { ResultNotice, type Result } from './result-notice.tsx';
import { UnavailableHosts } from './unavailable-hosts.tsx';
import { refresh } from '../lib/refresh.ts';

export const networkHref = (n: { host: string; name: string }) => `/hosts/${encodeURIComponent(n.host)}/networks/${encodeURIComponent(n.name)}`;

/** Refreshes what a network change alters: the lists, the containers' networks, disk usage. */
export function invalidateNetworks(client: ReturnType<typeof useQueryClient>): void {
  void refresh(client, ['networks']);
  void refresh(client, ['containers']);
  void refresh(client, ['container']);
}

/**
 * `docker network rm` behind a confirmation that names the network; the agent's refusal (a
 * container still uses it) shows in place.
 */
export function RemoveNetwork({ host, name, onRemoved }: { host: string; name: string; onRemoved: (message: string) => void }) {
  const client = useQueryClient();
  return (
    <ConfirmAction
      label={`Remove network ${name}`}
      question={`Remove network ${name} from ${host}?`}
      errorClassName="max-w-sm"
      action={async () => {
        await api.networks.remove.mutate({ host, network: name });
        onRemoved(`Removed network ${name} from ${host}`);
      }}
      onSettled={() => invalidateNetworks(client)}
    />
  );
}

const EMPTY: NetworkForm = { name: '', subnet: '', gateway: '', internal: false };

/** `docker network create`: checked as the user types, the agent's refusals shown as it words them. */
function CreateNetwork({ host, hosts, onResult }: { host?: string; hosts: string[]; onResult: (r: Result) => void }) {
  const client = useQueryClient();
  const [target, setTarget] = useState('');
  const [form, setForm] = useState<NetworkForm>(EMPTY);
  const [touched, setTouched] = useState<Partial<Record<keyof NetworkForm, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = host ?? (target || hosts[0] || '');
  const { errors, input } = useMemo(() => validateNetworkForm(form), [form]);
  const set = <K extends keyof NetworkForm>(key: K, value: NetworkForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setTouched((t) => ({ ...t, [key]: true }));
    setError(null);
  };
  // an empty name is an error only once the user has been at it
  const shown = (key: 'name' | 'subnet' | 'gateway') => ((touched[key] || submitted) && (key !== 'name' || form.name !== '' || submitted) ? errors[key] ?? null : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!input || !chosen) return;
    setBusy(true);
    setError(null);
    try {
      const n = await api.networks.create.mutate({ host: chosen, ...input, labels: {} });
      onResult({ tone: 'info', lines: [`Created network ${n.name} on ${chosen}: ${n.subnet ?? ''}${n.gateway ? `, gateway ${n.gateway}` : ''}`] });
      setForm(EMPTY);
      setTouched({});
      setSubmitted(false);
      invalidateNetworks(client);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'name' | 'subnet' | 'gateway', placeholder: string) => (
    <input value={form[key]} onChange={(e) => set(key, e.target.value)} aria-invalid={!!shown(key)} placeholder={placeholder} spellCheck={false} autoComplete="off" className={`${inputClass} font-mono`} />
  );

  return (
    <form onSubmit={submit} noValidate aria-label="Create a network" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        {!host && <HostField hosts={hosts} value={chosen} onChange={setTarget} />}
        <Field label="Network name" error={shown('name')} hint="letters, digits, _ . -" className="min-w-40 flex-1">{text('name', 'backend')}</Field>
        <Field label="Subnet" error={shown('subnet')} hint="optional: a free one from the pools otherwise" className="min-w-44 flex-1">{text('subnet', '10.10.0.0/24')}</Field>
        <Field label="Gateway" error={shown('gateway')} hint="optional: the subnet's first address" className="min-w-36 flex-1">{text('gateway', '10.10.0.1')}</Field>
        <label className="mt-7 flex items-center gap-1.5 text-sm" title="no outbound NAT, no traffic in or out of the bridge">
          <input type="checkbox" checked={form.internal} onChange={(e) => set('internal', e.target.checked)} /> Internal (--internal)
        </label>
        <Button type="submit" variant="primary" className="mt-6" disabled={busy || !chosen || (submitted && !input)}>{busy ? 'Creating…' : 'Create'}</Button>
      </div>
      {error && <Notice tone="error" className="mt-3">{error}</Notice>}
    </form>
  );
}

/** `docker network ls` for the fleet or one host, with create, inspect, remove and prune. */
export function NetworksPanel({ host }: { host?: string }) {
  const client = useQueryClient();
  const role = useHostRole(host);
  const operator = hasRole(role, 'operator');
  const [result, setResult] = useState<Result | null>(null);
  const list = useQuery({
    queryKey: ['networks', host ?? '*'],
    queryFn: () => api.networks.list.query(host ? { host } : {}),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
  const online = useOnlineHosts(!host);
  // the agent's order within a host: the default bridge, the others by name, then host and none
  const rows = useMemo(() => [...(list.data?.networks ?? [])].sort((a, b) => a.host.localeCompare(b.host)), [list.data]);
  const userDefined = rows.filter((n) => !isPredefinedNetwork(n)).length;

  const prune = async (on: string): Promise<Result> => {
    const r = await api.networks.prune.mutate({ host: on });
    return { tone: 'info', lines: r.deleted.length ? ['Deleted Networks:', ...r.deleted] : [`No unused networks to prune on ${on}`] };
  };

  const columns: Column<NetworkRow>[] = [
    {
      key: 'name',
      header: 'Name',
      cell: (n) => (
        <span className="break-all">
          <Link href={networkHref(n)} title={`Inspect network ${n.name}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{n.name}</Link>
          {n.name === 'bridge' && n.driver === 'bridge' && <span className="ml-1.5 text-xs text-slate-500">default</span>}
        </span>
      ),
    },
    { key: 'id', header: 'Network ID', cell: (n) => <code className="text-xs">{n.driver === 'bridge' ? shortId(n.id) : n.id}</code> },
    { key: 'driver', header: 'Driver', cell: (n) => n.driver },
    ...(host ? [] : [{ key: 'host', header: 'Host', cell: (n: NetworkRow) => <Link href={`/hosts/${encodeURIComponent(n.host)}#networks`} className="hover:underline">{n.host}</Link> }]),
    { key: 'subnet', header: 'Subnet', cell: (n) => (n.subnet ? <code className="text-xs">{n.subnet}</code> : <span className="text-slate-500">—</span>) },
    { key: 'gateway', header: 'Gateway', cell: (n) => (n.gateway ? <code className="text-xs">{n.gateway}</code> : <span className="text-slate-500">—</span>) },
    { key: 'internal', header: 'Internal', cell: (n) => (n.internal ? 'yes' : <span className="text-slate-500">no</span>) },
    { key: 'containers', header: 'Containers', cell: (n) => <span title={n.containers.map((c) => c.name).join(', ')}>{n.containers.length}</span> },
    { key: 'created', header: 'Created', cell: (n) => (n.driver === 'bridge' ? <span title={new Date(n.created).toLocaleString()}>{isoAgo(n.created)}</span> : <span className="text-slate-500">built in</span>), className: 'whitespace-nowrap' },
    ...(operator
      ? [{
          key: 'actions',
          header: 'Actions',
          cell: (n: NetworkRow) => (isPredefinedNetwork(n)
            ? <span className="text-xs text-slate-500">pre-defined</span>
            : <RemoveNetwork host={n.host} name={n.name} onRemoved={(line) => setResult({ tone: 'info', lines: [line] })} />),
        }]
      : []),
  ];

  return (
    <section aria-label="Networks">
      {operator && <CreateNetwork {...(host ? { host } : {})} hosts={online} onResult={setResult} />}
      <ResultNotice result={result} onDismiss={() => setResult(null)} />
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        {operator && <PruneUnused noun="networks" host={host} online={online} title="removes the user-defined networks no container is configured to use" prune={prune} onResult={setResult} onSettled={() => invalidateNetworks(client)} />}
        <span className="ml-auto text-slate-500" aria-live="polite">{list.isFetching ? 'Refreshing…' : list.data ? `${rows.length} shown` : ''}</span>
      </div>
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <UnavailableHosts hosts={list.data?.unavailable} />
      <Table<NetworkRow>
        label="Networks"
        rows={rows}
        rowKey={(n) => `${n.hostId}/${n.id}`}
        empty={list.isLoading ? 'Loading…' : host ? `${host} listed no networks.` : 'No networks: no host is online. Add a host, or wait for one to reconnect.'}
        columns={columns}
      />
      {list.data && rows.length > 0 && userDefined === 0 && (
        <p className="mt-3 text-sm text-slate-500">
          Only the built-in networks so far. {operator ? 'Create one above to give containers names they can reach each other by, then pick it under Network when running a container.' : 'An operator can create one for containers to reach each other by name.'}
        </p>
      )}
    </section>
  );
}
