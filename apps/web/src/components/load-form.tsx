'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { dockerSize } from '../lib/format.ts';
import { csrfHeaders } from '../lib/trpc.ts';
import { HostField } from './host-field.tsx';
import { refresh } from '../lib/refresh.ts';

type Outcome = { ok: boolean; lines: string[] };

/** Where `docker save` downloads an image (or several) of a host: a tar `docker load` reads. */
export const saveHref = (host: string, refs: string[]): string => `/api/images/save?${new URLSearchParams([['host', host], ...refs.map((r) => ['ref', r])]).toString()}`;

/** The file name `docker save -o` would be given: the reference with its slashes and colons made safe. */
export const saveFileName = (ref: string): string => `${ref.replace(/^sha256:/, '').replace(/[/:@]+/g, '_')}.tar`;

/**
 * `docker load -i FILE` from the browser: the tar (or .tar.gz) goes as the request body to
 * /api/images/load on the chosen host, and what the host printed comes back.
 */
export function LoadForm({ host, hosts }: { host?: string; hosts?: string[] }) {
  const client = useQueryClient();
  const [target, setTarget] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const chosen = host ?? (target || hosts?.[0] || '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !chosen) return;
    setBusy(true);
    setOutcome(null);
    try {
      const res = await fetch(`/api/images/load?host=${encodeURIComponent(chosen)}`, {
        method: 'POST',
        body: file,
        headers: { 'content-type': file.name.endsWith('gz') ? 'application/gzip' : 'application/x-tar', ...csrfHeaders() },
        credentials: 'same-origin',
      });
      const text = await res.text();
      let body: { messages?: string[]; error?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = { error: text.trim() || `HTTP ${res.status}` };
      }
      if (!res.ok || body.error) setOutcome({ ok: false, lines: [body.error ?? `HTTP ${res.status}`] });
      else {
        setOutcome({ ok: true, lines: body.messages?.length ? body.messages : ['Loaded, with nothing to report'] });
        setFile(null);
        if (input.current) input.current.value = '';
      }
    } catch (err) {
      setOutcome({ ok: false, lines: [err instanceof Error ? err.message : String(err)] });
    } finally {
      setBusy(false);
      void refresh(client, ['images']);
      void refresh(client, ['facts']);
      void refresh(client, ['df']);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Load an image" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end gap-3">
        {!host && <HostField hosts={hosts ?? []} value={chosen} onChange={setTarget} disabled={busy} />}
        <Field label="Image archive" hint="a tar from docker save (or .tar.gz)" className="min-w-64 flex-1">
          <input ref={input} type="file" accept=".tar,.tar.gz,.tgz,application/x-tar,application/gzip" disabled={busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} className={`${inputClass} py-1`} />
        </Field>
        <Button type="submit" variant="primary" disabled={busy || !file || !chosen}>{busy ? `Loading${file ? ` ${dockerSize(file.size)}` : ''}…` : 'Load'}</Button>
      </div>
      {outcome && (
        <Notice tone={outcome.ok ? 'info' : 'error'} className="mt-3">
          <pre className="whitespace-pre-wrap font-mono text-xs">{outcome.lines.join('\n')}</pre>
        </Notice>
      )}
    </form>
  );
}
