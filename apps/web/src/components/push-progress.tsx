'use client';
import { Button, Notice, ProgressBar } from '@berth/ui';
import { useEffect, useRef, useState } from 'react';
import { dockerSize, shortId, splitRepoTag } from '../lib/format.ts';
import { withProgress } from '../lib/progress.ts';
import { api, errorMessage } from '../lib/trpc.ts';

interface Blob { digest: string; status: 'waiting' | 'pushing' | 'pushed' | 'mounted' | 'already exists'; done: number; total: number }

const STATUS_TEXT: Record<Blob['status'], string> = { waiting: 'Waiting', pushing: 'Pushing', pushed: 'Pushed', mounted: 'Mounted from another repository', 'already exists': 'Layer already exists' };
const finished = (b: Blob) => b.status === 'pushed' || b.status === 'mounted' || b.status === 'already exists';

/** `docker push REF` as it happens: one bar per blob, then the manifest's digest and size. */
export function PushProgress({ host, imageRef, onClose }: { host: string; imageRef: string; onClose: () => void }) {
  const [blobs, setBlobs] = useState<Blob[]>([]);
  const [pushing, setPushing] = useState(true);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const sub = useRef<{ unsubscribe(): void } | null>(null);

  useEffect(() => {
    let done = false;
    const finish = (o: { ok: boolean; text: string }) => {
      setPushing(false);
      setOutcome(o);
    };
    sub.current = api.images.push.subscribe({ host, ref: imageRef }, {
      onData: (ev) => {
        if (ev.type === 'progress') {
          const b = ev.blob;
          setBlobs((prev) => withProgress(prev, b));
        } else if (ev.type === 'done') {
          done = true;
          finish({ ok: true, text: `${splitRepoTag(ev.ref).tag}: digest: ${ev.digest} size: ${ev.size}` });
        }
      },
      onError: (err) => finish({ ok: false, text: errorMessage(err) }),
      onComplete: () => {
        if (!done) finish({ ok: false, text: 'the push ended without a result: see the host' });
      },
    });
    return () => sub.current?.unsubscribe();
  }, [host, imageRef]);

  const cancel = () => {
    sub.current?.unsubscribe();
    setPushing(false);
    setOutcome({ ok: false, text: `push of ${imageRef} cancelled` });
  };

  return (
    <section aria-label="Push progress" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-2 flex items-center gap-3 text-sm">
        {pushing
          ? <p role="status" className="text-slate-600 dark:text-slate-400">Pushing {imageRef} from {host}…{blobs.length === 0 ? ' reading the image' : ''}</p>
          : <p className="text-slate-600 dark:text-slate-400">Push of {imageRef} from {host}</p>}
        {pushing ? <Button size="sm" className="ml-auto" onClick={cancel}>Cancel</Button> : <Button size="sm" className="ml-auto" onClick={onClose}>Close</Button>}
      </div>
      <div className="space-y-2">
        {blobs.map((b) => (
          <div key={b.digest} className="grid grid-cols-[8rem_1fr] items-center gap-3 text-sm">
            <code className="text-xs">{shortId(b.digest)}</code>
            <ProgressBar
              label={`blob ${shortId(b.digest)}`}
              value={finished(b) ? 1 : b.done}
              max={finished(b) ? 1 : b.total}
              text={b.status === 'pushing' ? `${STATUS_TEXT.pushing} ${dockerSize(b.done)}/${dockerSize(b.total)}` : STATUS_TEXT[b.status]}
            />
          </div>
        ))}
      </div>
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mt-3 break-all">{outcome.text}</Notice>}
    </section>
  );
}
