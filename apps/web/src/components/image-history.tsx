'use client';
import { Button, Notice, Table } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { HistoryRow } from '../lib/api-types.ts';
import { dockerSize, isoAgo, shortId } from '../lib/format.ts';
import { api, errorMessage } from '../lib/trpc.ts';

const CREATED_BY_WIDTH = 45;
/** CREATED BY as `docker history` cuts it, the whole step in its tooltip. */
const truncate = (s: string) => (s.length > CREATED_BY_WIDTH ? `${s.slice(0, CREATED_BY_WIDTH - 1)}…` : s);

/** `docker history REF` in a dialog: the layers newest first, the step that made each. */
export function ImageHistoryDialog({ host, imageRef, onClose }: { host: string; imageRef: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const history = useQuery({ queryKey: ['images', host, 'history', imageRef], queryFn: () => api.images.history.query({ host, ref: imageRef }) });
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const rows = (history.data ?? []).map((h, n) => ({ ...h, n }));
  return (
    <dialog ref={dialog} aria-label={`History of ${imageRef}`} onClose={onClose} onCancel={onClose} className="m-auto w-[min(64rem,95vw)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 backdrop:bg-slate-950/50 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100">
      <div className="flex items-center gap-3 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <h2 className="text-sm font-medium">History of {imageRef} <span className="font-normal text-slate-500">on {host} (as docker history)</span></h2>
        <Button size="sm" className="ml-auto" onClick={() => dialog.current?.close()}>Close</Button>
      </div>
      <div className="max-h-[70vh] overflow-auto p-4">
        {history.error && <Notice tone="error" className="mb-3">{errorMessage(history.error)}</Notice>}
        <Table<HistoryRow & { n: number }>
          label="Image history"
          rows={rows}
          rowKey={(h) => `${h.n}`}
          empty={history.isLoading ? 'Loading…' : 'No history.'}
          columns={[
            { key: 'image', header: 'Image', cell: (h) => <code className="text-xs">{h.id && h.id !== '<missing>' ? shortId(h.id) : '<missing>'}</code> },
            { key: 'created', header: 'Created', cell: (h) => (h.created ? <span title={new Date(h.created).toLocaleString()}>{isoAgo(h.created)}</span> : 'N/A'), className: 'whitespace-nowrap' },
            { key: 'by', header: 'Created by', cell: (h) => <code title={h.createdBy} className="text-xs">{truncate(h.createdBy)}</code> },
            { key: 'size', header: 'Size', cell: (h) => dockerSize(h.size), className: 'whitespace-nowrap' },
            { key: 'comment', header: 'Comment', cell: (h) => h.comment },
          ]}
        />
      </div>
    </dialog>
  );
}
