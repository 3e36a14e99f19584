'use client';
import { Notice, StatusBadge, Tabs } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Breadcrumb } from '../../../components/breadcrumb.tsx';
import { ContainersTable } from '../../../components/containers-table.tsx';
import { HostFactsList, HostMeters } from '../../../components/host-info.tsx';
import { HostLabels } from '../../../components/host-labels.tsx';
import { DiskUsagePanel } from '../../../components/disk-usage.tsx';
import { ImagesPanel } from '../../../components/images-panel.tsx';
import { NetworksPanel } from '../../../components/networks-panel.tsx';
import { VolumesPanel } from '../../../components/volumes-panel.tsx';
import { AppShell } from '../../../lib/app-shell.tsx';
import { hasRole, useRoleFor } from '../../../lib/roles.ts';
import { api, errorMessage } from '../../../lib/trpc.ts';
import { useFleetEvents } from '../../../lib/use-fleet-events.ts';
import { useRouteParams } from '../../../lib/use-route-params.ts';

type TabId = 'containers' | 'images' | 'volumes' | 'networks';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function HostDetail({ name }: { name: string }) {
  useFleetEvents();
  const host = useQuery({ queryKey: ['host', name], queryFn: () => api.hosts.get.query({ host: name }), refetchInterval: 60_000 });
  const roleFor = useRoleFor();
  const online = host.data?.status === 'online' || host.data?.status === 'degraded';
  // asked of the agent now; the cached copy from its last inventory stands in while it is away
  const live = useQuery({ queryKey: ['facts', name], queryFn: () => api.hosts.facts.query({ host: name }), enabled: online, refetchInterval: 60_000 });
  const facts = live.data ?? host.data?.facts ?? null;
  const [tab, setTab] = useState<TabId>('containers');
  useEffect(() => {
    const h = window.location.hash.slice(1);
    if (h === 'images' || h === 'containers' || h === 'volumes' || h === 'networks') setTab(h);
  }, []);
  const select = (id: string) => {
    setTab(id as TabId);
    window.history.replaceState(null, '', `#${id}`);
  };

  if (host.error) return <Notice tone="error">{errorMessage(host.error)}</Notice>;
  if (!host.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const h = host.data;
  return (
    <>
      <Breadcrumb trail={[{ href: '/', label: 'Hosts' }]} current={h.name} />
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{h.name}</h1>
        <StatusBadge status={h.status} />
        <span className="rounded-md border border-slate-300 px-2 py-0.5 text-xs text-slate-600 dark:border-slate-700 dark:text-slate-400">team {h.team.name}</span>
        <span className="text-sm text-slate-500">{facts ? `${facts.os} · ${facts.kernel} · ${facts.runtime ? `${facts.runtime.name} ${facts.runtime.version}` : 'no runtime'}` : ''}</span>
        {online && hasRole(roleFor(h.team.id), 'operator') && <Link href={`/hosts/${encodeURIComponent(h.name)}/run`} className="ml-auto rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">Run a container</Link>}
      </div>
      <div className="mb-6 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <HostMeters host={h} />
        {facts && (
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
            {plural(facts.containers.total, 'container')} ({facts.containers.running} running, {facts.containers.paused} paused, {facts.containers.stopped} stopped) · {plural(facts.images, 'image')} · {plural(facts.cpus, 'CPU')} · cgroups v{facts.cgroupVersion} ({facts.cgroupMode}) · {facts.storageDriver}
          </p>
        )}
      </div>
      <HostLabels host={h} />
      {live.error && <Notice tone="warning" className="mb-3">Live facts unavailable ({errorMessage(live.error)}); showing the last inventory.</Notice>}
      <details open className="mb-6 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <summary className="cursor-pointer text-sm font-medium">System info <span className="font-normal text-slate-500">(as docker info)</span></summary>
        <div className="mt-3">{facts ? <HostFactsList facts={facts} /> : <p className="text-sm text-slate-500">The host has not reported its facts yet.</p>}</div>
      </details>
      <DiskUsagePanel host={h.name} online={online} />
      <Tabs label="Host sections" selected={tab} onSelect={select} tabs={[{ id: 'containers', label: 'Containers' }, { id: 'images', label: 'Images' }, { id: 'volumes', label: 'Volumes' }, { id: 'networks', label: 'Networks' }]} />
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'containers' && <ContainersTable host={h.name} />}
        {tab === 'images' && <ImagesPanel host={h.name} />}
        {tab === 'volumes' && <VolumesPanel host={h.name} />}
        {tab === 'networks' && <NetworksPanel host={h.name} />}
      </div>
    </>
  );
}

export default function HostPage() {
  const { name } = useRouteParams<'name'>();
  return (
    <AppShell>
      <HostDetail name={name} />
    </AppShell>
  );
}
