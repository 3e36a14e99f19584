'use client';
import { inputBase, Notice, StatusBadge, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { ContainerRow, ContainerState } from '../lib/api-types.ts';
import { createdAgo, shortId } from '../lib/format.ts';
import { portPieces } from '../lib/networks.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ContainerActions } from './container-actions.tsx';
import { HealthBadge } from './health.tsx';
import { UnavailableHosts } from './unavailable-hosts.tsx';
import { ImageRef } from './image-ref.tsx';

const STATES: ContainerState[] = ['running', 'paused', 'restarting', 'created', 'exited', 'dead', 'removing'];

export const containerHref = (c: { host: string; id: string }) => `/hosts/${encodeURIComponent(c.host)}/containers/${encodeURIComponent(c.id)}`;

function matches(c: ContainerRow, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [c.name, c.image, c.id, c.command, c.host, c.status, ...c.networks].some((v) => v.toLowerCase().includes(needle));
}

/** PORTS as `docker ps` prints it; a port published on a known address of the host is a link. */
export function Ports({ ports }: { ports: ContainerRow['ports'] }) {
  const pieces = portPieces(ports);
  if (pieces.length === 0) return null;
  return (
    <span className="font-mono text-xs">
      {pieces.map((p, i) => {
        // a narrow column wraps before the arrow: "0.0.0.0:8080" / "->80/tcp"
        const arrow = p.text.indexOf('->');
        const text = arrow > 0 ? <>{p.text.slice(0, arrow)}<wbr />{p.text.slice(arrow)}</> : p.text;
        return (
          <span key={p.text}>
            {i > 0 && ', '}
            {p.href ? <a href={p.href} target="_blank" rel="noreferrer" className="text-sky-700 hover:underline dark:text-sky-400">{text}</a> : text}
          </span>
        );
      })}
    </span>
  );
}

/**
 * `docker ps` for the whole fleet, or for one host: search, state filter, "show stopped" (-a),
 * and each row's actions. The fleet's event stream refetches it; a slow poll backs that up.
 */
export function ContainersTable({ host }: { host?: string }) {
  const [search, setSearch] = useState('');
  const [state, setState] = useState<ContainerState | ''>('');
  const [showStopped, setShowStopped] = useState(false);
  // asking for one stopped state needs the stopped containers too
  const all = showStopped || (state !== '' && state !== 'running');
  const list = useQuery({
    queryKey: ['containers', host ?? '*', all],
    queryFn: () => api.containers.list.query({ ...(host ? { host } : {}), all }),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(
    () => (list.data?.containers ?? []).filter((c) => (state === '' || c.state === state) && matches(c, search.trim())).sort((a, b) => b.created - a.created),
    [list.data, state, search],
  );

  const columns: Column<ContainerRow>[] = [
    { key: 'id', header: 'Container ID', cell: (c) => <code className="text-xs">{shortId(c.id)}</code> },
    { key: 'name', header: 'Name', cell: (c) => <Link href={containerHref(c)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{c.name}</Link> },
    ...(host ? [] : [{ key: 'host', header: 'Host', cell: (c: ContainerRow) => <Link href={`/hosts/${encodeURIComponent(c.host)}`} className="hover:underline">{c.host}</Link> }]),
    // a long registry/repository reference may wrap after a slash, leaving room for PORTS and the actions
    { key: 'image', header: 'Image', cell: (c) => <ImageRef value={c.image} /> },
    { key: 'command', header: 'Command', cell: (c) => <code title={c.command} className="block max-w-40 truncate text-xs">{c.command ? `"${c.command}"` : ''}</code> },
    { key: 'created', header: 'Created', cell: (c) => <span title={new Date(c.created * 1000).toLocaleString()}>{createdAgo(c.created)}</span>, className: 'whitespace-nowrap' },
    { key: 'status', header: 'Status', cell: (c) => c.status },
    { key: 'state', header: 'State', cell: (c) => <span className="flex flex-wrap gap-1"><StatusBadge status={c.state} /><HealthBadge c={c} /></span> },
    { key: 'ports', header: 'Ports', cell: (c) => <Ports ports={c.ports} /> },
    { key: 'actions', header: 'Actions', cell: (c) => <ContainerActions host={c.host} id={c.id} name={c.name} state={c.state} /> },
  ];

  return (
    <section aria-label="Containers">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <input type="search" aria-label="Search containers" placeholder="Search name, image, ID, command…" value={search} onChange={(e) => setSearch(e.target.value)} className={`${inputBase} w-72`} />
        <select aria-label="State" value={state} onChange={(e) => setState(e.target.value as ContainerState | '')} className={inputBase}>
          <option value="">any state</option>
          {STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={showStopped} onChange={(e) => setShowStopped(e.target.checked)} />
          Show stopped
        </label>
        <span className="ml-auto text-sm text-slate-500" aria-live="polite">
          {list.isFetching ? 'Refreshing…' : list.data ? `${rows.length} shown` : ''}
        </span>
      </div>
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <UnavailableHosts hosts={list.data?.unavailable} />
      <Table<ContainerRow>
        label="Containers"
        rows={rows}
        rowKey={(c) => `${c.hostId}/${c.id}`}
        empty={list.isLoading ? 'Loading…' : (list.data?.containers.length ?? 0) > 0 ? 'No container matches.' : all ? 'No containers.' : 'No running containers: tick "Show stopped" to see the others.'}
        columns={columns}
      />
    </section>
  );
}
