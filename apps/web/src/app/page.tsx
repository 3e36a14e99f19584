'use client';
import { Meter, StatusBadge, Table } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { AppShell } from '../lib/app-shell.tsx';
import type { HostRow } from '../lib/api-types.ts';
import { hasRole, useRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { useFleetEvents } from '../lib/use-fleet-events.ts';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
const ago = (d: Date | null) => {
  if (!d) return 'never';
  const s = Math.max(0, Math.round((Date.now() - new Date(d).getTime()) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};

function Hosts() {
  useFleetEvents();
  // the event stream drives updates; this slow poll only backs it up
  const hosts = useQuery({ queryKey: ['hosts'], queryFn: () => api.hosts.list.query(), refetchInterval: 60_000 });
  const role = useRole();
  if (hosts.error) return <p role="alert" className="text-rose-600">{errorMessage(hosts.error)}</p>;
  return (
    <>
      <div className="mb-4 flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold">Hosts</h1>
        <span className="flex items-baseline gap-4 text-sm text-slate-500">
          {hosts.data ? `${hosts.data.filter((h) => h.status === 'online').length} of ${hosts.data.length} online` : ''}
          {hasRole(role, 'admin') && <Link href="/add-host" className="font-medium text-sky-700 hover:underline dark:text-sky-400">Add host over SSH</Link>}
        </span>
      </div>
      <Table<HostRow>
        label="Hosts"
        rows={hosts.data ?? []}
        rowKey={(h) => h.id}
        empty={hosts.isLoading ? 'Loading…' : 'No hosts yet: create a join token with `berth host join-token` and start an agent.'}
        columns={[
          { key: 'name', header: 'Name', cell: (h) => <Link href={`/hosts/${h.name}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{h.name}</Link> },
          { key: 'status', header: 'Status', cell: (h) => <StatusBadge status={h.status} /> },
          { key: 'team', header: 'Team', cell: (h) => h.team.name },
          { key: 'os', header: 'OS', cell: (h) => h.facts?.os ?? '—' },
          { key: 'cpu', header: 'CPU', cell: (h) => (h.metrics ? <Meter label={`${h.name} CPU`} value={h.metrics.cpuPercent} max={100} text={`${h.metrics.cpuPercent.toFixed(0)}% · ${h.facts?.cpus ?? "?"} CPUs`} /> : '—') },
          { key: 'memory', header: 'Memory', cell: (h) => (h.metrics ? <Meter label={`${h.name} memory`} value={h.metrics.memoryUsedBytes} max={h.metrics.memoryTotalBytes} text={`${gib(h.metrics.memoryUsedBytes)} / ${gib(h.metrics.memoryTotalBytes)}`} /> : h.facts ? gib(h.facts.memoryBytes) : '—') },
          { key: 'disk', header: 'Disk', cell: (h) => (h.metrics ? <Meter label={`${h.name} disk`} value={h.metrics.diskUsedBytes} max={h.metrics.diskTotalBytes} text={`${gib(h.metrics.diskUsedBytes)} / ${gib(h.metrics.diskTotalBytes)}`} /> : '—') },
          { key: 'runtime', header: 'Runtime', cell: (h) => (h.facts?.runtime ? `${h.facts.runtime.name} ${h.facts.runtime.version}` : '—') },
          { key: 'cgroup', header: 'Cgroups', cell: (h) => (h.facts ? `v${h.facts.cgroupVersion} (${h.facts.cgroupMode})` : '—') },
          { key: 'agent', header: 'Agent', cell: (h) => h.agentVersion ?? '—' },
          { key: 'seen', header: 'Last seen', cell: (h) => ago(h.lastSeenAt) },
        ]}
      />
    </>
  );
}

export default function HomePage() {
  return (
    <AppShell>
      <Hosts />
    </AppShell>
  );
}
