'use client';
import { Button, Notice } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { DiffRow } from '../lib/api-types.ts';
import { api, errorMessage } from '../lib/trpc.ts';

const KIND: Record<DiffRow['kind'], { word: string; tone: string }> = {
  A: { word: 'added', tone: 'text-emerald-700 dark:text-emerald-400' },
  C: { word: 'changed', tone: 'text-amber-700 dark:text-amber-400' },
  D: { word: 'deleted', tone: 'text-rose-700 dark:text-rose-400' },
};

/** `docker diff CONTAINER`: A, C and D lines from its writable layer, coloured, filterable by kind. */
export function ChangesPanel({ host, id }: { host: string; id: string }) {
  const diff = useQuery({ queryKey: ['container', host, id, 'diff'], queryFn: () => api.containers.diff.query({ host, id }) });
  const [kinds, setKinds] = useState<Record<DiffRow['kind'], boolean>>({ A: true, C: true, D: true });
  const rows = (diff.data ?? []).filter((d) => kinds[d.kind]);
  const count = (k: DiffRow['kind']) => (diff.data ?? []).filter((d) => d.kind === k).length;
  return (
    <section aria-label="Changes">
      <div className="mb-2 flex flex-wrap items-center gap-4 text-sm">
        <span className="text-slate-500">as docker diff</span>
        {(['A', 'C', 'D'] as const).map((k) => (
          <label key={k} className={`flex items-center gap-1.5 ${KIND[k].tone}`}>
            <input type="checkbox" checked={kinds[k]} onChange={(e) => setKinds((s) => ({ ...s, [k]: e.target.checked }))} />
            {k} {KIND[k].word} ({count(k)})
          </label>
        ))}
        <Button size="sm" className="ml-auto" onClick={() => void diff.refetch()} disabled={diff.isFetching}>{diff.isFetching ? 'Reading…' : 'Refresh'}</Button>
      </div>
      {diff.error && <Notice tone="error" className="mb-3">{errorMessage(diff.error)}</Notice>}
      <ul aria-label="Changed files" className="max-h-[32rem] overflow-auto rounded-lg border border-slate-200 bg-white px-4 py-2 font-mono text-xs leading-5 dark:border-slate-800 dark:bg-slate-900">
        {diff.isLoading ? <li className="text-slate-500">Loading…</li>
          : rows.length === 0 ? <li className="text-slate-500">{(diff.data ?? []).length === 0 ? 'No changes: the writable layer is as the image left it.' : 'No change of the kinds ticked.'}</li>
          : rows.map((d) => (
            <li key={`${d.kind}${d.path}`} data-kind={d.kind} className={KIND[d.kind].tone}>
              <span title={KIND[d.kind].word} className="mr-2 font-semibold">{d.kind}</span>{d.path}
            </li>
          ))}
      </ul>
    </section>
  );
}
