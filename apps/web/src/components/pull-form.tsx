'use client';
import { Button, Field, inputClass, Notice, ProgressBar } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { dockerSize, shortId } from '../lib/format.ts';
import { withProgress } from '../lib/progress.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { HostField } from './host-field.tsx';
import { refresh } from '../lib/refresh.ts';

interface Layer { digest: string; status: 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'complete' | 'already exists'; done: number; total: number }
type Outcome = { ok: true; text: string } | { ok: false; text: string };

const STATUS_TEXT: Record<Layer['status'], string> = {
  waiting: 'Waiting', downloading: 'Downloading', verifying: 'Verifying Checksum', extracting: 'Extracting', complete: 'Pull complete', 'already exists': 'Already exists',
};

function layerText(l: Layer): string {
  if (l.status === 'downloading' || l.status === 'extracting') return `${STATUS_TEXT[l.status]} ${dockerSize(l.done)}/${dockerSize(l.total)}`;
  return STATUS_TEXT[l.status];
}

/**
 * `docker pull` in the browser: one progress bar per layer, driven by the pull's own stream;
 * the image table refreshes when it is done. `hosts` offers a choice when no host is fixed.
 */
export function PullForm({ host, hosts }: { host?: string; hosts?: string[] }) {
  const client = useQueryClient();
  const [target, setTarget] = useState(host ?? '');
  const [ref, setRef] = useState('');
  const [layers, setLayers] = useState<Layer[]>([]);
  const [pulling, setPulling] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const sub = useRef<{ unsubscribe(): void } | null>(null);
  const chosen = host ?? (target || hosts?.[0] || '');

  useEffect(() => () => sub.current?.unsubscribe(), []);

  const finish = (o: Outcome) => {
    sub.current?.unsubscribe();
    sub.current = null;
    setPulling(null);
    setOutcome(o);
    void refresh(client, ['images']);
    void refresh(client, ['facts']);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const image = ref.trim();
    if (!image || !chosen || pulling) return;
    setLayers([]);
    setOutcome(null);
    setPulling(image);
    let done = false;
    sub.current = api.images.pull.subscribe({ host: chosen, ref: image }, {
      onData: (ev) => {
        if (ev.type === 'progress') {
          const l = ev.layer;
          setLayers((prev) => withProgress(prev, l));
        } else if (ev.type === 'done') {
          done = true;
          setLayers((prev) => prev.map((l) => (l.status === 'already exists' ? l : { ...l, status: 'complete', done: l.total })));
          finish({ ok: true, text: `Pulled ${ev.ref} on ${chosen}: Digest: ${ev.digest}, image ${shortId(ev.id)}` });
        }
      },
      onError: (err) => finish({ ok: false, text: errorMessage(err) }),
      onComplete: () => {
        if (!done) finish({ ok: false, text: 'the pull ended without a result: see the host' });
      },
    });
  };

  const cancel = () => finish({ ok: false, text: `pull of ${pulling} cancelled` });

  return (
    <form onSubmit={submit} aria-label="Pull an image" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end gap-3">
        {!host && <HostField hosts={hosts ?? []} value={chosen} onChange={setTarget} disabled={!!pulling} />}
        <Field label="Image to pull" className="min-w-64 flex-1">
          <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="registry:5000/team/app:tag" className={inputClass} disabled={!!pulling} spellCheck={false} />
        </Field>
        {/* distinct keys: Cancel must not turn into the submit button under its own click, which would pull again */}
        {pulling ? <Button key="cancel" onClick={cancel}>Cancel</Button> : <Button key="pull" type="submit" variant="primary" disabled={!ref.trim() || !chosen}>Pull</Button>}
      </div>
      {(pulling || layers.length > 0) && (
        <div className="mt-3 space-y-2" aria-label="Pull progress">
          {pulling && <p role="status" className="text-sm text-slate-600 dark:text-slate-400">Pulling {pulling} on {chosen}…{layers.length === 0 ? ' resolving the manifest' : ''}</p>}
          {layers.map((l) => (
            <div key={l.digest} className="grid grid-cols-[8rem_1fr] items-center gap-3 text-sm">
              <code className="text-xs">{shortId(l.digest)}</code>
              <ProgressBar label={`layer ${shortId(l.digest)}`} value={l.status === 'complete' || l.status === 'already exists' ? 1 : l.done} max={l.status === 'complete' || l.status === 'already exists' ? 1 : l.total} text={layerText(l)} />
            </div>
          ))}
        </div>
      )}
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mt-3">{outcome.text}</Notice>}
    </form>
  );
}
