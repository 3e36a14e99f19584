'use client';
import { Meter, Notice, StatusBadge, Tabs } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Breadcrumb, hostTrail } from '../../../../../components/breadcrumb.tsx';
import { ChangesPanel } from '../../../../../components/changes-panel.tsx';
import { CommitForm } from '../../../../../components/commit-form.tsx';
import { ContainerActions } from '../../../../../components/container-actions.tsx';
import { ContainerNetwork } from '../../../../../components/container-network.tsx';
import { Fact, FactList } from '../../../../../components/facts.tsx';
import { HealthBadge, HealthPanel } from '../../../../../components/health.tsx';
import { LogsPanel } from '../../../../../components/logs-panel.tsx';
import { ProcessesPanel } from '../../../../../components/processes-panel.tsx';
import { RenameContainer } from '../../../../../components/rename-container.tsx';
import { TerminalPanel } from '../../../../../components/terminal-panel.tsx';
import type { ContainerRow } from '../../../../../lib/api-types.ts';
import { binarySize, createdAgo, ioPair, shortId } from '../../../../../lib/format.ts';
import { AppShell } from '../../../../../lib/app-shell.tsx';
import { hasRole, useHostRole } from '../../../../../lib/roles.ts';
import { api, errorMessage } from '../../../../../lib/trpc.ts';
import { useFleetEvents } from '../../../../../lib/use-fleet-events.ts';
import { useRouteParams } from '../../../../../lib/use-route-params.ts';

function Stat({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="mb-1 text-xs uppercase text-slate-500">{term}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

/** `docker stats` for one container, sampled every 3 s: CPU %, MEM USAGE / LIMIT, NET I/O, BLOCK I/O, PIDS. */
function Stats({ host, id }: { host: string; id: string }) {
  const stats = useQuery({ queryKey: ['container', host, id, 'stats'], queryFn: () => api.containers.stats.query({ host, id }), refetchInterval: 3000 });
  if (stats.error) return <p className="text-xs text-slate-500">stats unavailable: {errorMessage(stats.error)}</p>;
  const s = stats.data;
  if (!s) return <p className="text-xs text-slate-500">reading stats…</p>;
  return (
    <dl aria-label="Container stats" className="grid gap-4 sm:grid-cols-3">
      <Stat term="CPU"><Meter label="container CPU" value={s.cpuPercent} max={100} text={`${s.cpuPercent.toFixed(1)}%`} /></Stat>
      <Stat term="Memory"><Meter label="container memory" value={s.memoryUsageBytes} max={s.memoryLimitBytes} text={`${binarySize(s.memoryUsageBytes)} / ${binarySize(s.memoryLimitBytes)}`} /></Stat>
      <Stat term="PIDs">{s.pids}</Stat>
      {/* cumulative since it started, received / sent and read / written, as docker stats words them */}
      <Stat term="NET I/O"><span className="font-mono text-xs" title="received / sent">{ioPair(s.netRxBytes, s.netTxBytes)}</span></Stat>
      <Stat term="BLOCK I/O"><span className="font-mono text-xs" title="read / written">{ioPair(s.blockReadBytes, s.blockWriteBytes)}</span></Stat>
    </dl>
  );
}

function Inspect({ host, id }: { host: string; id: string }) {
  const [open, setOpen] = useState(false);
  const inspect = useQuery({ queryKey: ['container', host, id, 'inspect'], queryFn: () => api.containers.inspect.query({ host, id }), enabled: open });
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)} className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <summary className="cursor-pointer text-sm font-medium">Inspect <span className="font-normal text-slate-500">(JSON, as docker inspect)</span></summary>
      {inspect.error ? <Notice tone="error" className="mt-3">{errorMessage(inspect.error)}</Notice>
        : inspect.data ? <pre aria-label="Inspect JSON" className="mt-3 max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 text-xs dark:bg-slate-950">{JSON.stringify(inspect.data, null, 2)}</pre>
        : <p className="mt-3 text-sm text-slate-500">Loading…</p>}
    </details>
  );
}

/** Counts the times the container has (re)started since the page opened, so the logs reopen. */
function useStartGeneration(c: ContainerRow | undefined): number {
  const [generation, setGeneration] = useState(0);
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (!c) return;
    if (last.current !== null && last.current !== 'running' && c.state === 'running') setGeneration((g) => g + 1);
    last.current = c.state;
  }, [c]);
  return generation;
}

type TabId = 'logs' | 'terminal' | 'processes' | 'changes';
const TAB_IDS: TabId[] = ['logs', 'terminal', 'processes', 'changes'];

/** The selected section, kept in the address's hash (#terminal) so that a reload keeps it. */
function useTab(): [TabId, (id: string) => void] {
  const [tab, setTab] = useState<TabId>('logs');
  useEffect(() => {
    const h = window.location.hash.slice(1) as TabId;
    if (TAB_IDS.includes(h)) setTab(h);
  }, []);
  return [tab, (id: string) => {
    setTab(id as TabId);
    window.history.replaceState(null, '', `#${id}`);
  }];
}

function ContainerDetail({ host, id }: { host: string; id: string }) {
  useFleetEvents({ metrics: false });
  const router = useRouter();
  const role = useHostRole(host);
  const [tab, select] = useTab();
  const list = useQuery({ queryKey: ['container', host, id, 'summary'], queryFn: () => api.containers.list.query({ host, all: true }), refetchInterval: 30_000 });
  const c = list.data?.containers.find((x) => x.id === id) ?? list.data?.containers.find((x) => x.id.startsWith(id) || x.name === id);
  const generation = useStartGeneration(c);
  const [removed, setRemoved] = useState(false);
  const attach = typeof window !== 'undefined' && new URLSearchParams(window.location.search).has('attach');
  const [terminalKept, setTerminalKept] = useState(false);
  const isRunning = c?.state === 'running';
  useEffect(() => {
    if (tab === 'terminal' && isRunning) setTerminalKept(true);
  }, [tab, isRunning]);
  const crumbs = <Breadcrumb trail={[...hostTrail(host), { href: '/containers', label: 'Containers' }]} current={c?.name ?? shortId(id)} />;

  // only a first read that fails replaces the page: a refresh that fails (every container event and
  // window focus refetches, without retries) keeps what was read, and with it the terminal's session
  // and the logs' stream, which unmounting would end
  if (!list.data) return <>{crumbs}{list.error ? <Notice tone="error">{errorMessage(list.error)}</Notice> : <p className="text-sm text-slate-500">Loading…</p>}</>;
  if (!c) {
    return (
      <>
        {crumbs}
        <Notice tone={removed ? 'info' : 'warning'}>{removed ? 'Container removed.' : `No such container on ${host}: ${id}`} <Link href="/containers" className="underline">Back to containers</Link></Notice>
      </>
    );
  }
  const running = c.state === 'running';
  const operator = hasRole(role, 'operator');
  // the terminal needs a running container and the operator role; the server checks both again.
  // Once opened it stays while the page is open, so that the end of a session (an attached shell's exit) stays readable.
  const terminalTab = operator && (running || terminalKept);
  const shown: TabId = tab === 'terminal' && !terminalTab ? 'logs' : tab;
  return (
    <>
      {crumbs}
      {list.error && <Notice tone="warning" className="mb-4">Could not refresh {c.name}: {errorMessage(list.error)}. Shown as last read; read again on its next change and every 30 s.</Notice>}
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{c.name}</h1>
        <span aria-label="Container state"><StatusBadge status={c.state} /></span>
        <HealthBadge c={c} />
        <span className="text-sm text-slate-500">{c.status}</span>
        <RenameContainer key={c.name} host={host} id={c.id} name={c.name} />
        {operator && <CommitForm key={`commit-${c.id}`} host={host} id={c.id} name={c.name} />}
        <div className="ml-auto">
          <ContainerActions host={host} id={c.id} name={c.name} state={c.state} onRemoved={() => { setRemoved(true); router.push('/containers'); }} />
        </div>
      </div>
      <div className="mb-4 grid gap-4 lg:grid-cols-2">
        <div className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          <FactList>
            <Fact term="ID"><code className="text-xs">{c.id}</code></Fact>
            <Fact term="Host"><Link href={`/hosts/${encodeURIComponent(host)}`} className="text-sky-700 hover:underline dark:text-sky-400">{c.host}</Link></Fact>
            <Fact term="Image">{c.image} <code className="text-xs text-slate-500">{shortId(c.imageId)}</code></Fact>
            <Fact term="Command"><code className="text-xs">{c.command}</code></Fact>
            <Fact term="Created">{createdAgo(c.created)} ({new Date(c.created * 1000).toLocaleString()})</Fact>
            <Fact term="State">{c.state}{c.exitCode !== null && c.state !== 'running' ? `, exit code ${c.exitCode}` : ''}</Fact>
            {Object.keys(c.labels).length > 0 && <Fact term="Labels">{Object.entries(c.labels).map(([k, v]) => <div key={k}><code className="text-xs">{k}={v}</code></div>)}</Fact>}
          </FactList>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
          {running ? <Stats host={host} id={c.id} /> : <p className="text-sm text-slate-500">No live figures: the container is {c.state}.</p>}
        </div>
      </div>
      {c.health && <HealthPanel host={host} id={c.id} />}
      <ContainerNetwork host={host} id={c.id} name={c.name} running={running} operator={operator} />
      <Tabs
        label="Container sections"
        selected={shown}
        onSelect={select}
        tabs={[{ id: 'logs', label: 'Logs' }, ...(terminalTab ? [{ id: 'terminal', label: 'Terminal' }] : []), { id: 'processes', label: 'Processes' }, { id: 'changes', label: 'Changes' }]}
      />
      <div className="mb-4" role="tabpanel" id={`panel-${shown}`} aria-labelledby={`tab-${shown}`}>
        {/* the logs and the terminal stay mounted while hidden, so that switching tabs keeps their stream */}
        <div hidden={shown !== 'logs'}><LogsPanel host={host} id={c.id} name={c.name} generation={generation} autoFollow={running || attach} /></div>
        {terminalTab && <div hidden={shown !== 'terminal'}><TerminalPanel host={host} id={c.id} name={c.name} visible={shown === 'terminal'} running={running} autoAttach={attach && tab === 'terminal'} /></div>}
        {shown === 'processes' && <ProcessesPanel host={host} id={c.id} running={running} />}
        {shown === 'changes' && <ChangesPanel host={host} id={c.id} />}
      </div>
      <Inspect host={host} id={c.id} />
    </>
  );
}

export default function ContainerPage() {
  const { name, id } = useRouteParams<'name' | 'id'>();
  return (
    <AppShell>
      <ContainerDetail host={name} id={id} />
    </AppShell>
  );
}
