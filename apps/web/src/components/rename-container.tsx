'use client';
import { Button, inputBase } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CONTAINER_NAME } from '../lib/run-spec.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { refresh } from '../lib/refresh.ts';

/** `docker rename`: the name in place, checked as it is typed. */
export function RenameContainer({ host, id, name }: { host: string; id: string; name: string }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = value.trim();
  const invalid = next !== '' && !CONTAINER_NAME.test(next) ? 'a name is [a-zA-Z0-9][a-zA-Z0-9_.-]+' : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (invalid || !next || next === name) return setEditing(false);
    setBusy(true);
    setError(null);
    try {
      await api.containers.rename.mutate({ host, id, name: next });
      setEditing(false);
      void refresh(client, ['containers']);
      void refresh(client, ['container', host, id]);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    return <Button size="sm" aria-label={`Rename ${name}`} onClick={() => { setValue(name); setError(null); setEditing(true); }}>Rename</Button>;
  }
  return (
    <form onSubmit={submit} aria-label={`Rename ${name}`} className="flex flex-wrap items-center gap-1.5">
      <input aria-label="New name" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={!!invalid} autoFocus spellCheck={false} className={`${inputBase} w-40 py-0.5 text-xs`} />
      <Button size="sm" type="submit" variant="primary" disabled={busy || !!invalid}>{busy ? 'Renaming…' : 'Save'}</Button>
      <Button size="sm" disabled={busy} onClick={() => setEditing(false)}>Cancel</Button>
      {(invalid || error) && <span role="alert" className="w-full text-xs text-rose-600">{invalid ?? error}</span>}
    </form>
  );
}
