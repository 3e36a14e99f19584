'use client';
import { Button, inputClass, Notice, Table, type Column } from '@berth/ui';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import type { ImageRow } from '../lib/api-types.ts';
import { createdAgo, dockerSize, shortId, splitRepoTag } from '../lib/format.ts';
import { hasRole, useHostRole } from '../lib/roles.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { useOnlineHosts } from '../lib/use-online-hosts.ts';
import { ActionError, ConfirmStep } from './confirm-action.tsx';
import { ImageHistoryDialog } from './image-history.tsx';
import { LoadForm, saveFileName, saveHref } from './load-form.tsx';
import { PullForm } from './pull-form.tsx';
import { PushProgress } from './push-progress.tsx';
import { ResultNotice, type Result } from './result-notice.tsx';
import { UnavailableHosts } from './unavailable-hosts.tsx';
import { ImageRef } from './image-ref.tsx';
import { refresh } from '../lib/refresh.ts';

/** One line of `docker images`: an image once per tag, or once as <none>. */
interface ImageLine { image: ImageRow; repository: string; tag: string; ref: string }

function lines(images: ImageRow[]): ImageLine[] {
  return images.flatMap((image) =>
    image.repoTags.length > 0
      ? image.repoTags.map((t) => ({ image, ...splitRepoTag(t), ref: t }))
      : [{ image, repository: image.repoDigests[0]?.split('@')[0] ?? '<none>', tag: '<none>', ref: image.id }],
  ).sort((a, b) => b.image.created - a.image.created || a.ref.localeCompare(b.ref));
}

/** An image on a host that a dialog or the push panel is about. */
type Target = { host: string; ref: string; n: number };

const linkButton = 'rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800';

function ImageActions({ line, onResult, onHistory, onPush, operator }: { line: ImageLine; onResult: (r: Result) => void; onHistory: () => void; onPush: () => void; operator: boolean }) {
  const client = useQueryClient();
  const { image, ref } = line;
  const [mode, setMode] = useState<'idle' | 'remove' | 'tag'>('idle');
  const [force, setForce] = useState(false);
  const [target, setTarget] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = ref === image.id ? shortId(image.id) : ref;

  const act = async (fn: () => Promise<Result>) => {
    setPending(true);
    setError(null);
    try {
      onResult(await fn());
      setMode('idle');
      void refresh(client, ['images']);
      void refresh(client, ['facts']);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  };
  const remove = () => act(async () => {
    const r = await api.images.remove.mutate({ host: image.host, ref, force });
    return { tone: 'info', lines: [...r.untagged.map((u) => `Untagged: ${u}`), ...r.deleted.map((d) => `Deleted: ${d}`), ...(r.untagged.length + r.deleted.length === 0 ? [`Nothing removed for ${label}`] : [])] };
  });
  const tag = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await api.images.tag.mutate({ host: image.host, source: ref, target: target.trim() });
      return { tone: 'info', lines: [`Tagged ${label} as ${target.trim()} on ${image.host}`] };
    });
  };

  return (
    <div className="min-w-48">
      {mode === 'remove' ? (
        <ConfirmStep label={`Remove ${label}`} question={`Remove ${label}?`} pending={pending} onConfirm={() => void remove()} onCancel={() => setMode('idle')}>
          <label className="flex items-center gap-1"><input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> force</label>
        </ConfirmStep>
      ) : mode === 'tag' ? (
        <form onSubmit={tag} aria-label={`Tag ${label}`} className="flex flex-wrap items-center gap-1.5">
          <input aria-label="New tag" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="repository:tag" className={`${inputClass} w-40 py-0.5 text-xs`} autoFocus spellCheck={false} />
          <Button size="sm" type="submit" variant="primary" disabled={pending || !target.trim()}>{pending ? 'Tagging…' : 'Tag'}</Button>
          <Button size="sm" disabled={pending} onClick={() => setMode('idle')}>Cancel</Button>
        </form>
      ) : (
        <div className="flex flex-wrap items-center gap-1.5">
          <Link href={`/hosts/${encodeURIComponent(image.host)}/run?image=${encodeURIComponent(ref)}`} aria-label={`Run ${label}`} className={linkButton}>Run</Link>
          <Button size="sm" aria-label={`Tag ${label}`} onClick={() => setMode('tag')}>Tag</Button>
          <Button size="sm" aria-label={`History of ${label}`} onClick={onHistory}>History</Button>
          {operator && ref !== image.id && <Button size="sm" aria-label={`Push ${label}`} onClick={onPush}>Push</Button>}
          <a href={saveHref(image.host, [ref])} download={saveFileName(ref)} aria-label={`Save ${label}`} title="docker save: a tar docker load reads" className={linkButton}>Save</a>
          <Button size="sm" variant="danger" aria-label={`Remove ${label}`} onClick={() => setMode('remove')}>Remove</Button>
        </div>
      )}
      <ActionError error={error} />
    </div>
  );
}

/** `docker images` for the fleet or one host, with pull, tag, remove and (on one host) prune. */
export function ImagesPanel({ host }: { host?: string }) {
  const client = useQueryClient();
  const operator = hasRole(useHostRole(host), 'operator');
  const [showAll, setShowAll] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [history, setHistory] = useState<Target | null>(null);
  const [push, setPush] = useState<Target | null>(null);
  const [pruning, setPruning] = useState(false);
  const list = useQuery({
    queryKey: ['images', host ?? '*', showAll],
    queryFn: () => api.images.list.query({ ...(host ? { host } : {}), all: showAll }),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
  const online = useOnlineHosts(!host);
  const rows = useMemo(() => lines(list.data?.images ?? []), [list.data]);

  const prune = async () => {
    if (!host) return;
    setPruning(true);
    try {
      const r = await api.images.prune.mutate({ host, all: false });
      setResult({ tone: 'info', lines: r.deleted.length ? [...r.deleted.map((d: string) => `Deleted: ${d}`), `Total reclaimed space: ${dockerSize(r.spaceReclaimed)}`] : ['No dangling images to prune'] });
      void refresh(client, ['images']);
    } catch (err) {
      setResult({ tone: 'error', lines: [errorMessage(err)] });
    } finally {
      setPruning(false);
    }
  };

  const columns: Column<ImageLine>[] = [
    { key: 'repository', header: 'Repository', cell: (l) => <ImageRef value={l.repository} className="font-medium" /> },
    { key: 'tag', header: 'Tag', cell: (l) => l.tag },
    { key: 'id', header: 'Image ID', cell: (l) => <code className="text-xs" title={l.image.id}>{shortId(l.image.id)}</code> },
    ...(host ? [] : [{ key: 'host', header: 'Host', cell: (l: ImageLine) => <Link href={`/hosts/${encodeURIComponent(l.image.host)}`} className="hover:underline">{l.image.host}</Link> }]),
    { key: 'created', header: 'Created', cell: (l) => <span title={new Date(l.image.created * 1000).toLocaleString()}>{createdAgo(l.image.created)}</span>, className: 'whitespace-nowrap' },
    { key: 'size', header: 'Size', cell: (l) => dockerSize(l.image.size), className: 'whitespace-nowrap' },
    { key: 'containers', header: 'Containers', cell: (l) => l.image.containers },
    {
      key: 'actions',
      header: 'Actions',
      cell: (l) => (
        <ImageActions
          line={l}
          operator={operator}
          onResult={setResult}
          onHistory={() => setHistory({ host: l.image.host, ref: l.ref, n: Date.now() })}
          onPush={() => setPush({ host: l.image.host, ref: l.ref, n: Date.now() })}
        />
      ),
    },
  ];

  return (
    <section aria-label="Images">
      <PullForm {...(host ? { host } : { hosts: online })} />
      {operator && <LoadForm {...(host ? { host } : { hosts: online })} />}
      {push && <PushProgress key={push.n} host={push.host} imageRef={push.ref} onClose={() => setPush(null)} />}
      {history && <ImageHistoryDialog key={history.n} host={history.host} imageRef={history.ref} onClose={() => setHistory(null)} />}
      <ResultNotice result={result} onDismiss={() => setResult(null)} />
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-1.5 text-sm">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
          Show intermediate images
        </label>
        {host && <button type="button" onClick={() => void prune()} disabled={pruning} className="text-sm text-sky-700 hover:underline disabled:opacity-50 dark:text-sky-400">{pruning ? 'Pruning…' : 'Prune dangling images'}</button>}
        <span className="ml-auto text-sm text-slate-500">{list.isFetching ? 'Refreshing…' : list.data ? `${rows.length} shown` : ''}</span>
      </div>
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <UnavailableHosts hosts={list.data?.unavailable} />
      <Table<ImageLine>
        label="Images"
        rows={rows}
        rowKey={(l) => `${l.image.hostId}/${l.image.id}/${l.ref}`}
        empty={list.isLoading ? 'Loading…' : 'No images: pull one above.'}
        columns={columns}
      />
    </section>
  );
}
