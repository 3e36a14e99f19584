'use client';
import { Button, Notice, Table } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { api, errorMessage } from '../lib/trpc.ts';

interface Proc { n: number; cells: string[] }

/** `docker top CONTAINER`: the processes of its cgroup, refreshed every few seconds while shown. */
export function ProcessesPanel({ host, id, running }: { host: string; id: string; running: boolean }) {
  const top = useQuery({ queryKey: ['container', host, id, 'top'], queryFn: () => api.containers.top.query({ host, id }), enabled: running, refetchInterval: 5000 });
  if (!running) return <p className="text-sm text-slate-500">No processes: the container is not running.</p>;
  const titles = top.data?.titles ?? [];
  const rows: Proc[] = (top.data?.processes ?? []).map((cells, n) => ({ n, cells }));
  return (
    <section aria-label="Processes">
      <div className="mb-2 flex items-center gap-3 text-sm">
        <span className="text-slate-500">as docker top · every 5 s</span>
        <Button size="sm" className="ml-auto" onClick={() => void top.refetch()} disabled={top.isFetching}>{top.isFetching ? 'Refreshing…' : 'Refresh'}</Button>
      </div>
      {top.error && <Notice tone="error" className="mb-3">{errorMessage(top.error)}</Notice>}
      <Table<Proc>
        label="Processes"
        rows={rows}
        rowKey={(p) => `${p.n}:${p.cells.join(' ')}`}
        empty={top.isLoading ? 'Loading…' : 'No processes.'}
        columns={titles.map((t, i) => ({
          key: `${i}-${t}`,
          header: t,
          cell: (p: Proc) => (i === titles.length - 1 ? <code className="break-all text-xs">{p.cells[i]}</code> : p.cells[i]),
          className: i === titles.length - 1 ? '' : 'whitespace-nowrap',
        }))}
      />
    </section>
  );
}
