'use client';
import { fileTarget } from '@berth/protocol/services';
import { Notice } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Breadcrumb } from '../../../components/breadcrumb.tsx';
import { Fact, FactList } from '../../../components/facts.tsx';
import { ServiceActions } from '../../../components/service-actions.tsx';
import { ReplicasPerHost, ReplicasTable } from '../../../components/service-replicas.tsx';
import { ReplicasMeter, UpdateStateBadge } from '../../../components/services-table.tsx';
import type { ServiceDetail } from '../../../lib/api-types.ts';
import { AppShell } from '../../../lib/app-shell.tsx';
import { isoAgo } from '../../../lib/format.ts';
import { hasRole, useRole } from '../../../lib/roles.ts';
import { publishedPorts } from '../../../lib/services.ts';
import { api, errorMessage } from '../../../lib/trpc.ts';
import { useRouteParams } from '../../../lib/use-route-params.ts';

const when = (iso: string) => <time dateTime={iso} title={new Date(iso).toLocaleString()}>{new Date(iso).toLocaleString()} <span className="text-slate-500">({isoAgo(iso)})</span></time>;

/** What `docker service inspect --pretty` shows first: the spec, in a few lines. */
function SpecSummary({ service: s }: { service: ServiceDetail }) {
  const c = s.spec.container;
  const u = s.spec.update;
  return (
    <FactList label="Service spec">
      <Fact term="Image"><span className="font-mono">{s.spec.image}</span></Fact>
      <Fact term="Mode">{s.mode === 'global' ? 'global' : `replicated, ${s.desired} replica${s.desired === 1 ? '' : 's'}`}</Fact>
      {c.cmd && <Fact term="Command"><span className="font-mono">{c.cmd.join(' ')}</span></Fact>}
      {/* names only: the values may be secrets, and inspect shows them to those who need them */}
      {c.env.length > 0 && <Fact term="Environment"><span className="font-mono">{c.env.map((e) => e.slice(0, e.indexOf('='))).join(', ')}</span></Fact>}
      {c.publish.length > 0 && <Fact term="Ports"><span className="font-mono">{publishedPorts(c.publish)}</span></Fact>}
      <Fact term="Constraints">{s.spec.placement.constraints.length ? <span className="font-mono">{s.spec.placement.constraints.join(', ')}</span> : 'none'}</Fact>
      {s.spec.networks.length > 0 && <Fact term="Networks">{s.spec.networks.join(', ')}</Fact>}
      {/* where each is mounted; the content is never shown */}
      {s.spec.secrets.length > 0 && <Fact term="Secrets"><span className="font-mono">{s.spec.secrets.map((r) => `${r.source} → ${fileTarget('secret', r)}`).join(', ')}</span></Fact>}
      {s.spec.configs.length > 0 && <Fact term="Configs"><span className="font-mono">{s.spec.configs.map((r) => `${r.source} → ${fileTarget('config', r)}`).join(', ')}</span></Fact>}
      <Fact term="Update config">parallelism {u.parallelism === 0 ? 'all' : u.parallelism}, {u.order}, on failure {u.failureAction}{u.delayMs ? `, delay ${u.delayMs / 1000}s` : ''}</Fact>
      <Fact term="Version">{s.version}, changed {when(s.updatedAt)}</Fact>
      {s.stack && <Fact term="Stack"><Link href={`/services?stack=${encodeURIComponent(s.stack)}`} className="hover:underline">{s.stack}</Link></Fact>}
    </FactList>
  );
}

/** The reconciler's timeline, newest first: versions written, replicas started, moved, failed. */
function Timeline({ service }: { service: ServiceDetail }) {
  if (!service.events.length) return <p className="text-sm text-slate-500">Nothing has happened yet.</p>;
  return (
    <ol aria-label="Timeline" className="space-y-1.5 text-sm">
      {service.events.map((e) => (
        <li key={e.id} className="flex flex-wrap gap-x-3">
          <span className="w-32 shrink-0 whitespace-nowrap text-slate-500"><time dateTime={e.at} title={new Date(e.at).toLocaleString()}>{isoAgo(e.at)}</time></span>
          <span className="w-20 shrink-0 text-xs uppercase tracking-wide text-slate-500">{e.kind}</span>
          <span className="min-w-0 flex-1 wrap-anywhere">{e.message}{e.host && !e.message.includes(e.host) ? <span className="text-slate-500"> on {e.host}</span> : null}</span>
        </li>
      ))}
    </ol>
  );
}

function Versions({ service }: { service: ServiceDetail }) {
  return (
    <ol aria-label="Versions" className="space-y-1 text-sm">
      {service.versions.map((v) => (
        <li key={v.version} className="flex flex-wrap gap-x-3" aria-current={v.version === service.version ? 'true' : undefined}>
          <span className="w-10 shrink-0 font-medium">v{v.version}</span>
          <span className="min-w-0 flex-1">{v.note}{v.version === service.version && <span className="ml-1.5 text-xs text-emerald-700 dark:text-emerald-400">current</span>}</span>
          <span className="text-slate-500">{v.createdBy}, <time dateTime={v.createdAt} title={new Date(v.createdAt).toLocaleString()}>{isoAgo(v.createdAt)}</time></span>
        </li>
      ))}
    </ol>
  );
}

const panel = 'rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900';

function ServicePage({ name }: { name: string }) {
  const router = useRouter();
  const operator = hasRole(useRole(), 'operator');
  const [removed, setRemoved] = useState(false);
  // the replicas converge under the reconciler: read every second while the page is shown
  const svc = useQuery({ queryKey: ['service', name], queryFn: () => api.services.get.query({ name }), refetchInterval: removed ? false : 1000 });
  const crumbs = <Breadcrumb trail={[{ href: '/services', label: 'Services' }]} current={name} />;
  if (removed) return <>{crumbs}<Notice>Service {name} removed; the reconciler removes its replicas. <Link href="/services" className="underline">Back to services</Link></Notice></>;
  // a refresh that fails keeps what was read; only a first read that fails replaces the page
  if (!svc.data) return <>{crumbs}{svc.error ? <Notice tone="error">{errorMessage(svc.error)}</Notice> : <p className="text-sm text-slate-500">Loading…</p>}</>;
  const s = svc.data;
  const refresh = () => void svc.refetch();
  return (
    <>
      {crumbs}
      {svc.error && <Notice tone="warning" className="mb-4">Could not refresh {name}: {errorMessage(svc.error)}. Shown as last read.</Notice>}
      <div className="mb-4 flex flex-wrap items-center gap-4">
        <h1 className="text-2xl font-semibold">{s.name}</h1>
        <div className="w-32"><ReplicasMeter name={s.name} running={s.running} desired={s.desired} /></div>
        {s.updateState && <span aria-label="Update state"><UpdateStateBadge state={s.updateState} /></span>}
        {s.updateReason && <span className="text-sm text-slate-500">{s.updateReason}</span>}
      </div>
      {operator && <ServiceActions service={s} refresh={refresh} onRemoved={() => { setRemoved(true); router.push('/services'); }} />}
      <div className="mb-6 grid gap-6 lg:grid-cols-[2fr_1fr]">
        <section aria-label="Spec" className={panel}><SpecSummary service={s} /></section>
        <section aria-labelledby="per-host-heading">
          <h2 id="per-host-heading" className="mb-2 text-lg font-semibold">Per host</h2>
          <ReplicasPerHost service={s} />
        </section>
      </div>
      <section aria-labelledby="replicas-heading" className="mb-6">
        <h2 id="replicas-heading" className="mb-2 text-lg font-semibold">Replicas <span className="text-sm font-normal text-slate-500">(as docker service ps)</span></h2>
        <ReplicasTable service={s} />
      </section>
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <section aria-labelledby="timeline-heading" className={panel}>
          <h2 id="timeline-heading" className="mb-3 text-lg font-semibold">Timeline</h2>
          <Timeline service={s} />
        </section>
        <section aria-labelledby="versions-heading" className={panel}>
          <h2 id="versions-heading" className="mb-3 text-lg font-semibold">Versions</h2>
          <Versions service={s} />
        </section>
      </div>
    </>
  );
}

export default function ServiceDetailPage() {
  const { name } = useRouteParams<'name'>();
  return (
    <AppShell>
      <ServicePage name={name} />
    </AppShell>
  );
}
