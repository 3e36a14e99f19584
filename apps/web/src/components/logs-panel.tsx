'use client';
import { Button, Notice } from '@berth/ui';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { errorMessage, api } from '../lib/trpc.ts';

interface Line { n: number; stream: 'stdout' | 'stderr'; text: string }
type Phase = 'connecting' | 'streaming' | 'ended' | 'error';

const MAX_LINES = 5000;
const TAIL = 1000;

/**
 * `docker logs [-f] [-t] --tail 1000` in a panel: stdout and stderr told apart, kept at the
 * bottom while the user has not scrolled up, downloadable as text. `generation` changes when
 * the container starts again, which opens a fresh stream.
 */
export function LogsPanel({ host, id, name, generation, autoFollow = true }: { host: string; id: string; name: string; generation: number; autoFollow?: boolean }) {
  const [follow, setFollow] = useState(autoFollow);
  const [timestamps, setTimestamps] = useState(false);
  const [lines, setLines] = useState<Line[]>([]);
  const [phase, setPhase] = useState<Phase>('connecting');
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    setLines([]);
    setPhase('connecting');
    setError(null);
    let n = 0;
    // a chunk may end mid-line: keep the rest of each stream until its newline comes
    const partial = { stdout: '', stderr: '' };
    let queued: Line[] = [];
    let frame: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      frame = null;
      const add = queued;
      queued = [];
      setLines((prev) => {
        const next = prev.concat(add);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    const push = (stream: 'stdout' | 'stderr', text: string) => {
      const parts = (partial[stream] + text).split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const t of parts) queued.push({ n: n++, stream, text: t.replace(/\r$/, '') });
      frame ??= setTimeout(flush, 50);
    };
    const drain = () => {
      for (const s of ['stdout', 'stderr'] as const) if (partial[s]) push(s, '\n');
    };
    const sub = api.containers.logs.subscribe({ host, id, follow, tail: TAIL, timestamps }, {
      onStarted: () => setPhase('streaming'),
      onData: (chunk) => {
        setPhase('streaming');
        push(chunk.stream, chunk.text);
      },
      onError: (err) => {
        drain();
        setError(errorMessage(err));
        setPhase('error');
      },
      onComplete: () => {
        drain();
        setPhase('ended');
      },
    });
    return () => {
      sub.unsubscribe();
      if (frame) clearTimeout(frame);
    };
  }, [host, id, follow, timestamps, generation]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const onScroll = () => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  const download = () => {
    const blob = new Blob([lines.map((l) => `${l.text}\n`).join('')], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}-logs.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section aria-label="Logs" className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-4 border-b border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
        <h2 className="font-medium">Logs</h2>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow</label>
        <label className="flex items-center gap-1.5"><input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps</label>
        <span className="text-xs text-slate-500" aria-live="polite">
          {phase === 'connecting' ? 'connecting…' : phase === 'streaming' ? (follow ? 'following' : 'reading') : phase === 'ended' ? `end of log · ${lines.length} lines` : 'stopped'}
        </span>
        <span className="ml-auto flex gap-2">
          <Button size="sm" onClick={() => setLines([])} disabled={lines.length === 0}>Clear</Button>
          <Button size="sm" onClick={download} disabled={lines.length === 0}>Download .txt</Button>
        </span>
      </div>
      {error && <Notice tone="error" className="m-3">{error}</Notice>}
      <div ref={box} onScroll={onScroll} role="log" aria-label={`Logs of ${name}`} className="h-96 overflow-auto bg-slate-950 px-4 py-2 font-mono text-xs leading-5 text-slate-100">
        {lines.length === 0 && phase !== 'connecting' ? <div className="text-slate-500">no output{follow ? ' yet' : ''}</div> : null}
        {lines.map((l) => (
          <div key={l.n} data-stream={l.stream} className={`whitespace-pre-wrap break-all ${l.stream === 'stderr' ? 'border-l-2 border-rose-500 pl-2 text-rose-300' : ''}`}>
            {l.text || '\u00a0'}
          </div>
        ))}
      </div>
    </section>
  );
}
