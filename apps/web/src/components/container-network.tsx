'use client';
import { Notice, Table, type Column } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { networkView, type ContainerEndpoint } from '../lib/networks.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ConnectForm, DisconnectButton } from './network-connect.tsx';
import { networkHref } from './networks-panel.tsx';

const none = <span className="text-slate-500">—</span>;

/**
 * A container's networking, from `docker inspect`: its network mode, an endpoint per network
 * (address, gateway, MAC, aliases), its ports; connect and disconnect for operators.
 */
export function ContainerNetwork({ host, id, name, running, operator }: { host: string; id: string; name: string; running: boolean; operator: boolean }) {
  const [message, setMessage] = useState<string | null>(null);
  const inspect = useQuery({ queryKey: ['container', host, id, 'inspect'], queryFn: () => api.containers.inspect.query({ host, id }) });
  const networks = useQuery({ queryKey: ['networks', host], queryFn: () => api.networks.list.query({ host }), enabled: operator });
  const v = networkView(inspect.data);
  const modeOnly = v.mode === 'host' || v.mode === 'none';
  const joinable = (networks.data?.networks ?? []).filter((n) => n.driver === 'bridge' && !v.endpoints.some((e) => e.networkId === n.id || e.network === n.name));

  const columns: Column<ContainerEndpoint>[] = [
    { key: 'network', header: 'Network', cell: (e) => <Link href={networkHref({ host, name: e.network })} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{e.network}</Link> },
    { key: 'ip', header: 'IPv4 address', cell: (e) => (e.ipAddress ? <code className="text-xs">{e.ipAddress}/{e.prefixLen}</code> : <span className="text-slate-500">at start</span>) },
    { key: 'gateway', header: 'Gateway', cell: (e) => (e.gateway ? <code className="text-xs">{e.gateway}</code> : none) },
    { key: 'mac', header: 'MAC address', cell: (e) => (e.macAddress ? <code className="text-xs">{e.macAddress}</code> : none) },
    { key: 'aliases', header: 'Aliases', cell: (e) => (e.aliases.length ? e.aliases.join(', ') : none) },
    ...(operator ? [{ key: 'actions', header: 'Actions', cell: (e: ContainerEndpoint) => <DisconnectButton host={host} network={e.network} container={name} /> }] : []),
  ];

  return (
    <section aria-labelledby="network-heading" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="network-heading" className="mb-3 text-sm font-medium">Network</h2>
      {inspect.error ? <Notice tone="error">{errorMessage(inspect.error)}</Notice>
        : !inspect.data ? <p className="text-sm text-slate-500">Loading…</p>
        : (
          <>
            <dl className="mb-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
              <dt className="text-slate-500">Mode</dt>
              <dd>
                <code className="text-xs">{v.mode}</code>
                {v.mode === 'host' && <span className="ml-2 text-slate-500">shares the host&apos;s network: its ports are the host&apos;s</span>}
                {v.mode === 'none' && <span className="ml-2 text-slate-500">loopback only</span>}
              </dd>
              <dt className="text-slate-500">Ports</dt>
              <dd>
                {v.ports.length === 0 ? <span className="text-slate-500">none published{modeOnly ? '' : ': publish with Publish ports on the run form'}</span> : (
                  <ul aria-label="Port mappings" className="font-mono text-xs">
                    {v.ports.map((p) => <li key={`${p.container}-${p.host ?? ''}`}>{p.container} {p.host ? `→ ${p.host}` : <span className="font-sans text-slate-500">exposed, not published</span>}</li>)}
                  </ul>
                )}
              </dd>
            </dl>
            {!modeOnly && (
              <Table<ContainerEndpoint>
                label="Container networks"
                rows={v.endpoints}
                rowKey={(e) => e.network}
                empty={`Not on any network${operator ? ': connect it below' : ''}.`}
                columns={columns}
              />
            )}
            {!running && !modeOnly && v.endpoints.length > 0 && <p className="mt-2 text-xs text-slate-500">Addresses are handed out when the container starts.</p>}
            {message && <Notice tone="info" className="mt-3">{message}</Notice>}
            {operator && !modeOnly && networks.data && (
              <div className="mt-3">
                <ConnectForm host={host} container={name} choices={joinable.map((n) => ({ value: n.name, label: n.subnet ? `${n.name} (${n.subnet})` : n.name }))} onDone={setMessage} />
              </div>
            )}
          </>
        )}
    </section>
  );
}
