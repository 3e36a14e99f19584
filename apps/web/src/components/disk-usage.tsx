'use client';
import { Notice, Table } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import type { DiskUsage } from '../lib/api-types.ts';
import { dfSize, reclaimableText } from '../lib/format.ts';
import { api, errorMessage } from '../lib/trpc.ts';

interface DfLine { type: string; row: DiskUsage['images'] }

/** `docker system df` of one host: TYPE, TOTAL, ACTIVE, SIZE, RECLAIMABLE (with its share of SIZE). */
export function DiskUsagePanel({ host, online }: { host: string; online: boolean }) {
  const df = useQuery({ queryKey: ['df', host], queryFn: () => api.hosts.df.query({ host }), enabled: online, refetchInterval: 60_000 });
  const lines: DfLine[] = df.data ? [
    { type: 'Images', row: df.data.images },
    { type: 'Containers', row: df.data.containers },
    { type: 'Local Volumes', row: df.data.volumes },
  ] : [];
  return (
    <section aria-label="Disk usage" className="mb-6">
      <h2 className="mb-2 text-sm font-medium">Disk usage <span className="font-normal text-slate-500">(as docker system df)</span></h2>
      {df.error && <Notice tone="warning" className="mb-3">{errorMessage(df.error)}</Notice>}
      <Table<DfLine>
        label="Disk usage"
        rows={lines}
        rowKey={(l) => l.type}
        empty={!online ? 'The host is not connected.' : df.isLoading ? 'Loading…' : 'No figures.'}
        columns={[
          { key: 'type', header: 'Type', cell: (l) => l.type, className: 'whitespace-nowrap' },
          { key: 'total', header: 'Total', cell: (l) => l.row.total },
          { key: 'active', header: 'Active', cell: (l) => l.row.active },
          { key: 'size', header: 'Size', cell: (l) => dfSize(l.row.size), className: 'whitespace-nowrap' },
          { key: 'reclaimable', header: 'Reclaimable', cell: (l) => reclaimableText(l.row.reclaimable, l.row.size), className: 'whitespace-nowrap' },
        ]}
      />
    </section>
  );
}
