'use client';
import { Button, Field, inputClass, Notice, Table } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '../../components/confirm-action.tsx';
import { TeamSelect, useSeesSeveralTeams, useTeamsWith } from '../../components/team-select.tsx';
import { FleetPage } from '../../lib/app-shell.tsx';
import { isoAgo } from '../../lib/format.ts';
import { hasRole, useRole, useRoleFor } from '../../lib/roles.ts';
import { api, errorMessage } from '../../lib/trpc.ts';
import { refresh } from '../../lib/refresh.ts';

type Kind = 'secret' | 'config';
type SecretRow = Awaited<ReturnType<typeof api.secrets.list.query>>[number];

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const LIMIT: Record<Kind, number> = { secret: 500 * 1024, config: 1000 * 1024 };

/** Bytes to base64 in the browser, in slices (String.fromCharCode takes only so many arguments). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * `docker secret create`: a name and the content, typed or from a file. The content leaves
 * the page once, is sealed by the control plane, and is never shown again: the fields are
 * emptied as soon as it is sent.
 */
function CreateForm({ kind, onDone }: { kind: Kind; onDone: (text: string, ok: boolean) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  // the team that owns it (only its services mount it): asked only of a user who could create in several
  const teams = useTeamsWith('operator');
  const [team, setTeam] = useState('');
  const nameError = name && !NAME.test(name) ? 'letters, digits, _ . - (not first), at most 63' : null;
  const size = file ? file.size : new TextEncoder().encode(text).length;
  const sizeError = size > LIMIT[kind] ? `${size} bytes: a ${kind} holds at most ${LIMIT[kind] / 1024} KB` : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const bytes = file ? new Uint8Array(await file.arrayBuffer()) : new TextEncoder().encode(text);
      setText('');
      setFile(null);
      const made = await api.secrets.create.mutate({ kind, name, data: toBase64(bytes), ...(teams.length > 1 && team ? { team } : {}) });
      onDone(`Created the ${kind} ${made.name} (${made.size} bytes). Services mount it with --${kind} ${made.name}.`, true);
      setName('');
    } catch (err) {
      onDone(errorMessage(err), false);
    } finally {
      setBusy(false);
      void refresh(client, ['secrets', kind]);
    }
  };
  return (
    <form onSubmit={submit} aria-label={`Create a ${kind}`} autoComplete="off" className="mb-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Name" error={nameError} className="min-w-48">
          <input value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} placeholder={kind === 'secret' ? 'db_password' : 'nginx_conf'} className={inputClass} />
        </Field>
        {teams.length > 1 && (
          <Field label="Team" hint="only its services mount it" className="min-w-40">
            <TeamSelect value={team} onChange={setTeam} role="operator" />
          </Field>
        )}
        <Field label="Content" error={sizeError} hint={file ? `from ${file.name}` : `or choose a file; never shown again`} className="min-w-72 flex-1">
          <textarea value={text} onChange={(e) => setText(e.target.value)} disabled={!!file} rows={2} spellCheck={false} className={`${inputClass} font-mono`} />
        </Field>
        <Field label="File" className="min-w-48">
          <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} className="text-sm" />
        </Field>
        <Button type="submit" variant="primary" className="mt-6" disabled={busy || !name || !!nameError || !!sizeError || (!file && !text)}>{busy ? 'Creating…' : `Create ${kind}`}</Button>
      </div>
    </form>
  );
}

function Section({ kind }: { kind: Kind }) {
  const operator = hasRole(useRole(), 'operator');
  const roleFor = useRoleFor();
  const severalTeams = useSeesSeveralTeams();
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  const list = useQuery({ queryKey: ['secrets', kind], queryFn: () => api.secrets.list.query({ kind }) });
  const title = kind === 'secret' ? 'Secrets' : 'Configs';
  return (
    <section aria-label={title} className="mb-8">
      <h2 className="mb-1 text-lg font-semibold">{title}</h2>
      <p className="mb-3 text-sm text-slate-500">
        {kind === 'secret'
          ? 'Passwords, keys and certificates for services: sealed in the control plane, mounted read-only at /run/secrets/NAME in each replica, kept in memory on the hosts.'
          : 'Configuration files for services: mounted read-only at /NAME (or a target you choose) in each replica.'}{' '}
        Content cannot be read back or changed: to rotate, create a new one and update the service.
      </p>
      {operator && <CreateForm kind={kind} onDone={(text, ok) => setOutcome({ text, ok })} />}
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mb-3">{outcome.text}</Notice>}
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <Table<SecretRow>
        label={title}
        rows={list.data ?? []}
        rowKey={(r) => r.id}
        empty={list.isLoading ? 'Loading…' : `No ${kind}s yet.${operator ? ` Create one above, or declare it in a stack's compose file.` : ''}`}
        columns={[
          { key: 'name', header: 'Name', cell: (r) => <span className="font-medium">{r.name}</span> },
          ...(severalTeams ? [{ key: 'team', header: 'Team', cell: (r: SecretRow) => r.team.name }] : []),
          { key: 'size', header: 'Size', cell: (r) => `${r.size} B`, className: 'whitespace-nowrap' },
          { key: 'stack', header: 'Stack', cell: (r) => r.stack ?? '—' },
          { key: 'used', header: 'Used by', cell: (r) => (r.services.length ? r.services.map((s, i) => <span key={s}>{i > 0 && ', '}<Link href={`/services/${encodeURIComponent(s)}`} className="text-sky-700 hover:underline dark:text-sky-400">{s}</Link></span>) : 'no service') },
          { key: 'created', header: 'Created', cell: (r) => <span title={new Date(r.createdAt).toLocaleString()}>{isoAgo(r.createdAt)}</span>, className: 'whitespace-nowrap' },
          ...(operator
            ? [{
                key: 'actions',
                header: 'Actions',
                // an operator of the row's team (the server checks it again)
                cell: (r: SecretRow) => !hasRole(roleFor(r.team.id), 'operator') ? null : (
                  <ConfirmAction
                    label={`Remove ${kind} ${r.name}`}
                    question={<>Remove the {kind} <strong>{r.name}</strong>? Its content is gone for good.</>}
                    action={() => api.secrets.remove.mutate({ kind, name: r.name })}
                    onSettled={() => void refresh(client, ['secrets', kind])}
                  />
                ),
              }]
            : []),
        ]}
      />
    </section>
  );
}

export default function SecretsPage() {
  return (
    <FleetPage title="Secrets and configs" actions={<Link href="/services" className="text-sm text-sky-700 hover:underline dark:text-sky-400">Services</Link>}>
      <Section kind="secret" />
      <Section kind="config" />
    </FleetPage>
  );
}
