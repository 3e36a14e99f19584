'use client';
import { inputClass } from '@berth/ui';
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../lib/trpc.ts';
import type { Result } from './result-notice.tsx';

/**
 * `docker network prune` and `docker volume prune` on one host: the host to prune when the
 * panel spans several online ones, any options (`children`), then the button. What the host
 * deleted, or its refusal, goes to `onResult`; `onSettled` runs either way.
 */
export function PruneUnused({ noun, host, online, title, prune, onResult, onSettled, children }: {
  noun: 'networks' | 'volumes';
  /** the panel's fixed host, if any */
  host?: string | undefined;
  online: string[];
  title?: string;
  prune: (host: string) => Promise<Result>;
  onResult: (r: Result) => void;
  onSettled: () => void;
  children?: ReactNode;
}) {
  const [pruneHost, setPruneHost] = useState('');
  const [pruning, setPruning] = useState(false);
  const pruneOn = host ?? (pruneHost || online[0] || '');
  const run = async () => {
    if (!pruneOn) return;
    setPruning(true);
    try {
      onResult(await prune(pruneOn));
    } catch (err) {
      onResult({ tone: 'error', lines: [errorMessage(err)] });
    } finally {
      setPruning(false);
      onSettled();
    }
  };
  return (
    <div role="group" aria-label={`Prune ${noun}`} className="flex flex-wrap items-center gap-2">
      {!host && online.length > 1 && (
        <select aria-label="Host to prune" value={pruneOn} onChange={(e) => setPruneHost(e.target.value)} className={`${inputClass} w-auto py-0.5`}>
          {online.map((h) => <option key={h} value={h}>{h}</option>)}
        </select>
      )}
      {children}
      <button type="button" onClick={() => void run()} disabled={pruning || !pruneOn} title={title} className="text-sky-700 hover:underline disabled:opacity-50 dark:text-sky-400">
        {pruning ? 'Pruning…' : `Prune unused ${noun}${host || online.length <= 1 ? (pruneOn ? ` on ${pruneOn}` : '') : ''}`}
      </button>
    </div>
  );
}
