'use client';
import { Notice, StatusBadge, Table, type Column } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Breadcrumb, hostTrail } from '../../../../../components/breadcrumb.tsx';
import { containerHref } from '../../../../../components/containers-table.tsx';
import { Fact, FactList } from '../../../../../components/facts.tsx';
import { ConnectForm, DisconnectButton } from '../../../../../components/network-connect.tsx';
import { RemoveNetwork } from '../../../../../components/networks-panel.tsx';
import type { ContainerRow, NetworkDetail } from '../../../../../lib/api-types.ts';
import { AppShell } from '../../../../../lib/app-shell.tsx';
import { isoAgo, shortId } from '../../../../../lib/format.ts';
import { isPredefinedNetwork } from '../../../../../lib/networks.ts';
import { hasRole, useHostRole } from '../../../../../lib/roles.ts';
import { api, errorMessage } from '../../../../../lib/trpc.ts';
import { useFleetEvents } from '../../../../../lib/use-fleet-events.ts';
import { useRouteParams } from '../../../../../lib/use-route-params.ts';

type Endpoint = NetworkDetail['containers'][number];

const none = <span className="text-slate-500">—</span>;

/** `docker network inspect`: the network, the containers on it with their addresses, connect and disconnect. */
function NetworkPage({ host, name }: { host: string; name: string }) {
  useFleetEvents({ metrics: false });
  const router = useRouter();
  const operator = hasRole(useHostRole(host), 'operator');
  const [message, setMessage] = useState<string | null>(null);
  const net = useQuery({ queryKey: ['networks', host, 'inspect', name], queryFn: () => api.networks.inspect.query({ host, network: name }), refetchInterval: 30_000 });
  const containers = useQuery({ queryKey: ['containers', host, true], queryFn: () => api.containers.list.query({ host, all: true }), refetchInterval: 30_000 });
  const crumbs = <Breadcrumb trail={[...hostTrail(host), { href: `/hosts/${encodeURIComponent(host)}#networks`, label: 'Networks' }]} current={name} />;
  if (net.error) {
    return <>{crumbs}<Notice tone="error">{errorMessage(net.error)} <Link href={`/hosts/${encodeURIComponent(host)}#networks`} className="underline">Back to the host&apos;s networks</Link></Notice></>;
  }
  const n = net.data;
  if (!n) return <>{crumbs}<p className="text-sm text-slate-500">Loading…</p></>;

  const bridged = n.driver === 'bridge';
  const all = containers.data?.containers ?? [];
  // containers configured on it: a stopped one has no endpoint (no address) until it starts
  const configured = all.filter((c) => c.networks.includes(n.name));
  const idle = configured.filter((c) => !n.containers.some((e) => e.containerId === c.id));
  const byId = new Map(all.map((c) => [c.id, c]));
  // what can still join: bridge-mode containers not on it yet (host and none cannot be connected)
  const joinable = all.filter((c) => !c.networks.includes(n.name) && !c.networks.includes('host') && !c.networks.includes('none'));

  const columns: Column<Endpoint>[] = [
    { key: 'name', header: 'Container', cell: (e) => <Link href={containerHref({ host, id: e.containerId })} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{e.name}</Link> },
    { key: 'id', header: 'Container ID', cell: (e) => <code className="text-xs">{shortId(e.containerId)}</code> },
    { key: 'state', header: 'State', cell: (e) => { const c = byId.get(e.containerId); return c ? <StatusBadge status={c.state} /> : none; } },
    { key: 'ip', header: 'IPv4 address', cell: (e) => <code className="text-xs">{e.ipv4Address}</code> },
    { key: 'mac', header: 'MAC address', cell: (e) => <code className="text-xs">{e.macAddress}</code> },
    { key: 'aliases', header: 'Aliases', cell: (e) => (e.aliases.length ? e.aliases.join(', ') : none) },
    ...(operator && bridged ? [{ key: 'actions', header: 'Actions', cell: (e: Endpoint) => <DisconnectButton host={host} network={n.name} container={e.name} /> }] : []),
  ];
  const modeColumns: Column<ContainerRow>[] = [
    { key: 'name', header: 'Container', cell: (c) => <Link href={containerHref(c)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{c.name}</Link> },
    { key: 'id', header: 'Container ID', cell: (c) => <code className="text-xs">{shortId(c.id)}</code> },
    { key: 'state', header: 'State', cell: (c) => <StatusBadge status={c.state} /> },
  ];

  return (
    <>
      {crumbs}
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{n.name}</h1>
        <span className="text-sm text-slate-500">{n.driver} network on {host}{n.name === 'bridge' && bridged ? ' (the default one)' : ''}</span>
        {operator && !isPredefinedNetwork(n) && (
          <div className="ml-auto">
            <RemoveNetwork host={host} name={n.name} onRemoved={() => router.push(`/hosts/${encodeURIComponent(host)}#networks`)} />
          </div>
        )}
      </div>
      {message && <Notice tone="info" className="mb-3">{message}</Notice>}
      <div className="mb-6 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <FactList label="Network details">
          <Fact term="ID"><code className="text-xs">{n.id}</code></Fact>
          <Fact term="Driver">{n.driver}</Fact>
          <Fact term="Scope">{n.scope}</Fact>
          <Fact term="Subnet">{n.subnet ? <code className="text-xs">{n.subnet}</code> : none}</Fact>
          <Fact term="Gateway">{n.gateway ? <code className="text-xs">{n.gateway}</code> : none}</Fact>
          <Fact term="Bridge">{n.bridge ? <code className="text-xs">{n.bridge}</code> : none}</Fact>
          <Fact term="Internal">{n.internal ? 'yes: no outbound traffic, no published ports from outside' : 'no'}</Fact>
          {bridged && <Fact term="Created">{isoAgo(n.created)} ({new Date(n.created).toLocaleString()})</Fact>}
          {Object.keys(n.labels).length > 0 && <Fact term="Labels">{Object.entries(n.labels).map(([k, v]) => <div key={k}><code className="text-xs">{k}={v}</code></div>)}</Fact>}
        </FactList>
      </div>

      <section aria-labelledby="attached-heading" className="mb-6">
        <h2 id="attached-heading" className="mb-2 text-lg font-semibold">Containers</h2>
        {bridged ? (
          <>
            <Table<Endpoint>
              label={`Containers on ${n.name}`}
              rows={n.containers}
              rowKey={(e) => e.containerId}
              empty={`No running container is on ${n.name}. Run one with Network set to ${n.name}${operator ? ', or connect one below' : ''}.`}
              columns={columns}
            />
            {idle.length > 0 && (
              <p className="mt-2 text-sm text-slate-500">
                Also configured on it, with no address until they start: {idle.map((c, i) => <span key={c.id}>{i > 0 && ', '}<Link href={containerHref(c)} className="text-sky-700 hover:underline dark:text-sky-400">{c.name}</Link> ({c.state})</span>)}.
              </p>
            )}
          </>
        ) : (
          <Table<ContainerRow>
            label={`Containers on ${n.name}`}
            rows={configured}
            rowKey={(c) => c.id}
            empty={n.driver === 'host' ? 'No container uses the host\'s network. Choosing host under Network when running a container needs an admin.' : 'No container runs without a network.'}
            columns={modeColumns}
          />
        )}
      </section>

      {operator && bridged && (
        <section aria-labelledby="connect-heading">
          <h2 id="connect-heading" className="mb-2 text-lg font-semibold">Connect a container</h2>
          <ConnectForm host={host} network={n.name} choices={joinable.map((c) => ({ value: c.name, label: `${c.name} (${c.state})` }))} onDone={setMessage} />
        </section>
      )}
    </>
  );
}

export default function NetworkInspectPage() {
  const { name, network } = useRouteParams<'name' | 'network'>();
  return (
    <AppShell>
      <NetworkPage host={name} name={network} />
    </AppShell>
  );
}
