'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../lib/trpc.ts';
import { TeamSelect, useTeamsWith } from './team-select.tsx';
import { refresh } from '../lib/refresh.ts';

const STACK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

type Outcome =
  | { ok: true; services: { name: string; action: string }[]; ignored: { path: string; line?: number; reason: string }[] }
  | { ok: false; message: string };

/** A file's bytes as base64, for the files a compose file names (env_file). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * `berth stack deploy -c FILE NAME` from the browser: the compose file (chosen or pasted) and
 * the files it names go to the control plane, which parses them as the CLI's deploy does; the
 * keys berth ignores are listed with their lines, and a mistake is shown with its line and key.
 */
export function DeployStackForm() {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [compose, setCompose] = useState('');
  const [fileName, setFileName] = useState('docker-compose.yml');
  const [extra, setExtra] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // the team a new stack goes to (a redeploy stays in its own): asked only of a user who could deploy in several
  const teams = useTeamsWith('operator');
  const [team, setTeam] = useState('');
  const stacks = useQuery({ queryKey: ['stacks'], queryFn: () => api.stacks.list.query() });
  const existing = stacks.data?.find((x) => x.name === name.trim());
  const askTeam = teams.length > 1 && !existing;
  const nameError = name && !STACK_NAME.test(name) ? 'a stack name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters' : null;

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setFileName(file.name);
    setCompose(await file.text());
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name || nameError || !compose.trim()) return;
    setBusy(true);
    setOutcome(null);
    try {
      const files: Record<string, string> = {};
      for (const f of extra) files[f.name] = await base64Of(f);
      const r = await api.stacks.deployCompose.mutate({ name, compose, fileName, files, ...(askTeam && team ? { team } : {}) });
      setOutcome({ ok: true, services: r.services, ignored: r.ignored });
      void refresh(client, []); // a stack touches services, secrets, networks, volumes…
    } catch (err) {
      setOutcome({ ok: false, message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Deploy a stack" className="mb-6 max-w-3xl space-y-4 rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="text-base font-semibold">Deploy a stack from a compose file</h2>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Stack name" error={nameError} hint="its services are named NAME_SERVICE">
          <input value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!nameError} spellCheck={false} autoComplete="off" placeholder="shop" className={inputClass} />
        </Field>
        {askTeam && (
          <Field label="Team" hint="the team that owns the new stack: its services run on the team's hosts">
            <TeamSelect value={team} onChange={setTeam} role="operator" />
          </Field>
        )}
        {existing && teams.length > 1 && <p className="self-end pb-2 text-sm text-slate-500">Redeploys the stack of team {existing.team.name}.</p>}
        <Field label="Compose file" hint="docker-compose.yml; or paste it below">
          <input type="file" accept=".yml,.yaml,text/yaml" onChange={(e) => void choose(e.target.files?.[0])} className="text-sm" />
        </Field>
      </div>
      <Field label="Compose" hint="the Compose Specification's common subset; keys berth does not carry out are listed after the deploy">
        <textarea value={compose} onChange={(e) => setCompose(e.target.value)} rows={10} spellCheck={false} placeholder={'services:\n  web:\n    image: busybox\n    deploy:\n      replicas: 2'} className={`${inputClass} font-mono`} />
      </Field>
      <Field label="Files it names" hint="env_file: files, by the name the compose file gives them">
        <input type="file" multiple onChange={(e) => setExtra([...(e.target.files ?? [])])} className="text-sm" />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={busy || !name || !!nameError || !compose.trim()}>{busy ? 'Deploying…' : 'Deploy'}</Button>
      </div>
      {outcome && !outcome.ok && <Notice tone="error" className="whitespace-pre-wrap break-words">{outcome.message}</Notice>}
      {outcome?.ok && (
        <Notice tone="info">
          <ul>
            {outcome.services.map((s) => <li key={s.name}>{s.action === 'unchanged' ? 'Unchanged' : s.action[0]!.toUpperCase() + s.action.slice(1)}: {s.name}</li>)}
          </ul>
          {outcome.ignored.length > 0 && (
            <>
              <p className="mt-2 font-medium">Ignored:</p>
              <ul>{outcome.ignored.map((i) => <li key={`${i.path}:${i.reason}`}><code className="text-xs">{i.path}</code>{i.line ? ` (line ${i.line})` : ''}: {i.reason}</li>)}</ul>
            </>
          )}
        </Notice>
      )}
    </form>
  );
}
