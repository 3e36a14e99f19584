'use client';
import { Meter, StatusBadge, Table, type Column } from '@berth/ui';
import Link from 'next/link';
import type { ReplicaRow, ServiceDetail } from '../lib/api-types.ts';
import { isoAgo } from '../lib/format.ts';
import { replicasPerHost, replicaStateWord } from '../lib/services.ts';
import { containerHref } from './containers-table.tsx';
import { ImageRef } from './image-ref.tsx';

/** Desired against running replicas on each host the service has replicas on. */
export function ReplicasPerHost({ service }: { service: ServiceDetail }) {
  const rows = replicasPerHost(service.replicas);
  const columns: Column<(typeof rows)[number]>[] = [
    { key: 'host', header: 'Host', cell: (r) => <Link href={`/hosts/${encodeURIComponent(r.host)}`} className="hover:underline">{r.host}</Link> },
    { key: 'replicas', header: 'Running / desired', cell: (r) => <Meter kind="goal" label={`${r.host} replicas running`} value={r.running} max={r.desired} text={`${r.running}/${r.desired}`} /> },
  ];
  return <Table label="Replicas per host" rows={rows} rowKey={(r) => r.host} empty="No replicas placed yet." columns={columns} />;
}

/**
 * `docker service ps`: each slot's replicas, the current one first, then the ones it replaced
 * (shut down, kept as history); the container name links to the container's page.
 */
export function ReplicasTable({ service }: { service: ServiceDetail }) {
  const label = (r: ReplicaRow) => (r.slot > 0 ? `${service.name}.${r.slot}` : `${service.name}.${r.host}`);
  const current = (r: ReplicaRow) => r.desired === 'running';
  const columns: Column<ReplicaRow>[] = [
    { key: 'slot', header: 'Slot', cell: (r) => <span className={current(r) ? 'font-medium' : 'pl-3 text-slate-500'}>{current(r) ? '' : '\\_ '}{label(r)}</span>, className: 'whitespace-nowrap' },
    { key: 'container', header: 'Container', cell: (r) => (r.containerId ? <Link href={containerHref({ host: r.host, id: r.containerId })} className="break-all text-sky-700 hover:underline dark:text-sky-400">{r.name}</Link> : <span className="break-all text-slate-500">{r.name}</span>) },
    { key: 'host', header: 'Host', cell: (r) => r.host },
    { key: 'version', header: 'Version', cell: (r) => r.version },
    { key: 'image', header: 'Image', cell: (r) => <ImageRef value={r.image} className="font-mono text-xs" /> },
    { key: 'desired', header: 'Desired state', cell: (r) => (r.desired === 'running' ? 'running' : 'shutdown') },
    { key: 'state', header: 'Current state', cell: (r) => <StatusBadge status={replicaStateWord(r.state)} /> },
    { key: 'since', header: 'Since', cell: (r) => <span title={new Date(r.readyAt ?? r.createdAt).toLocaleString()}>{isoAgo(r.readyAt ?? r.createdAt)}</span>, className: 'whitespace-nowrap' },
    { key: 'error', header: 'Error', cell: (r) => (r.error ? <span className="wrap-anywhere text-xs text-rose-600">{r.error}</span> : null) },
  ];
  // slot by slot (a global service's host by host), the current replica above the ones it replaced (the API sends newest first within a slot)
  const rows = [...service.replicas].sort((a, b) => a.slot - b.slot || (a.slot === 0 ? a.host.localeCompare(b.host) : 0) || Number(current(b)) - Number(current(a)));
  return <Table label="Replicas" rows={rows} rowKey={(r) => r.id} empty="No replicas." columns={columns} />;
}
