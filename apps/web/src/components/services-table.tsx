'use client';
import { Meter, Notice, StatusBadge, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ServiceRow } from '../lib/api-types.ts';
import { publishedPorts, updateStateWord } from '../lib/services.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { serviceHref } from './create-service-form.tsx';
import { useSeesSeveralTeams } from './team-select.tsx';
import { ImageRef } from './image-ref.tsx';

/** REPLICAS as `docker service ls` shows it (running/desired), with a small gauge. */
export function ReplicasMeter({ name, running, desired }: { name: string; running: number; desired: number | null }) {
  const want = desired ?? running;
  return <Meter kind="goal" label={`${name} replicas running`} value={running} max={want} text={`${running}/${desired ?? `${running} (global)`}`} />;
}

/** The rolling update's state as a badge, or nothing when there has been none. */
export function UpdateStateBadge({ state }: { state: string | null }) {
  const word = updateStateWord(state);
  return word ? <StatusBadge status={word} /> : <span className="text-slate-500">—</span>;
}

/**
 * `docker service ls`, of every service or of one stack's, refreshed every second while the
 * page is shown so that the replica counts follow the reconciler. `empty` is what to say when
 * there are none.
 */
export function ServicesTable({ stack, empty }: { stack?: string | undefined; empty: ReactNode }) {
  const list = useQuery({
    queryKey: ['services', stack ?? '*'],
    queryFn: () => api.services.list.query(stack ? { stack } : {}),
    refetchInterval: 1000,
    placeholderData: keepPreviousData,
  });
  const rows = list.data ?? [];
  const severalTeams = useSeesSeveralTeams();
  const columns: Column<ServiceRow>[] = [
    { key: 'name', header: 'Name', cell: (s) => <Link href={serviceHref(s.name)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{s.name}</Link> },
    { key: 'stack', header: 'Stack', cell: (s) => (s.stack ? <Link href={`/services?stack=${encodeURIComponent(s.stack)}`} className="hover:underline">{s.stack}</Link> : <span className="text-slate-500">—</span>) },
    ...(severalTeams ? [{ key: 'team', header: 'Team', cell: (s: ServiceRow) => s.team.name }] : []),
    { key: 'mode', header: 'Mode', cell: (s) => s.mode },
    { key: 'replicas', header: 'Replicas', cell: (s) => <ReplicasMeter name={s.name} running={s.running} desired={s.desired} /> },
    { key: 'image', header: 'Image', cell: (s) => <ImageRef value={s.spec.image} className="font-mono text-xs" /> },
    { key: 'ports', header: 'Ports', cell: (s) => <span className="font-mono text-xs">{publishedPorts(s.spec.container.publish)}</span> },
    { key: 'update', header: 'Update', cell: (s) => <span title={s.updateReason ?? undefined}><UpdateStateBadge state={s.updateState} /></span> },
  ];
  return (
    <section aria-label="Services">
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <Table<ServiceRow> label="Services" rows={rows} rowKey={(s) => s.id} empty={list.isLoading ? 'Loading…' : empty} columns={columns} />
    </section>
  );
}
