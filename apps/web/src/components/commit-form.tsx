'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { shortId } from '../lib/format.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { refresh } from '../lib/refresh.ts';

/** `docker commit [-a AUTHOR] [-m MESSAGE] CONTAINER [REPOSITORY[:TAG]]`: a new image from the container's changes. */
export function CommitForm({ host, id, name }: { host: string; id: string; name: string }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [ref, setRef] = useState('');
  const [author, setAuthor] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const badRef = ref.trim() !== '' && /\s/.test(ref.trim()) ? 'an image reference has no blanks' : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (badRef) return;
    setBusy(true);
    setOutcome(null);
    try {
      const r = await api.containers.commit.mutate({ host, id, ...(ref.trim() ? { ref: ref.trim() } : {}), ...(author.trim() ? { author: author.trim() } : {}), ...(message.trim() ? { message: message.trim() } : {}) });
      setOutcome({ ok: true, text: `Committed ${name} as ${r.ref ?? '<none>'}: ${r.id} (${shortId(r.id)})` });
      void refresh(client, ['images']);
      void refresh(client, ['facts']);
    } catch (err) {
      setOutcome({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  if (!open) return <Button size="sm" aria-label={`Commit ${name}`} onClick={() => { setOutcome(null); setOpen(true); }}>Commit</Button>;
  return (
    <form onSubmit={submit} aria-label={`Commit ${name}`} className="mb-4 w-full rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="mb-3 text-sm font-medium">Commit {name} to a new image <span className="font-normal text-slate-500">(as docker commit; the container is paused while it is read)</span></h2>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Image reference" error={badRef} hint="optional; repository[:tag]"><input value={ref} onChange={(e) => setRef(e.target.value)} aria-invalid={!!badRef} placeholder="team/app:snapshot" spellCheck={false} className={inputClass} /></Field>
        <Field label="Author" hint="optional; -a"><input value={author} onChange={(e) => setAuthor(e.target.value)} placeholder="Jane <jane@example.com>" className={inputClass} /></Field>
        <Field label="Message" hint="optional; -m"><input value={message} onChange={(e) => setMessage(e.target.value)} placeholder="what changed" className={inputClass} /></Field>
      </div>
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mt-3 break-all">{outcome.text}</Notice>}
      <div className="mt-3 flex gap-2">
        <Button type="submit" variant="primary" disabled={busy || !!badRef}>{busy ? 'Committing…' : 'Commit'}</Button>
        <Button disabled={busy} onClick={() => setOpen(false)}>Close</Button>
      </div>
    </form>
  );
}
