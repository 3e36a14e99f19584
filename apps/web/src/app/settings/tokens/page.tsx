'use client';
import { Button, Field, inputClass, Notice, Table } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '../../../components/confirm-action.tsx';
import { SettingsNav } from '../../../components/settings-nav.tsx';
import { AppShell } from '../../../lib/app-shell.tsx';
import { isoAgo } from '../../../lib/format.ts';
import { api, errorMessage } from '../../../lib/trpc.ts';
import { refresh } from '../../../lib/refresh.ts';

type TokenRow = Awaited<ReturnType<typeof api.auth.listApiTokens.query>>[number];
type Scope = 'viewer' | 'operator' | 'admin';

const stateOf = (t: TokenRow) => (t.revokedAt ? 'revoked' : t.expiresAt && new Date(t.expiresAt) < new Date() ? 'expired' : 'active');

/** A new personal token: its secret is shown here once, and never again. */
function CreateToken({ onCreated, say }: { onCreated: (token: string) => void; say: (text: string, ok: boolean) => void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope | ''>('');
  const [days, setDays] = useState('90');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const t = await api.auth.createApiToken.mutate({ name: name.trim(), ...(scope ? { scope } : {}), ...(days ? { expiresInDays: Number(days) } : {}) });
      onCreated(t.token);
      say(`Token ${t.name} created: copy it now, it is not shown again.`, true);
      setName('');
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      void refresh(client, ['api-tokens']);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Create an API token" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Token name" hint="what it is for, e.g. ci-deploy" className="min-w-48 flex-1">
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} spellCheck={false} className={inputClass} />
        </Field>
        <Field label="Scope" hint="the most it may do; never more than you may" className="min-w-44">
          <select value={scope} onChange={(e) => setScope(e.target.value as Scope | '')} className={inputClass}>
            <option value="">all your rights</option>
            <option value="viewer">viewer (read only)</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </Field>
        <Field label="Expires after" className="min-w-36">
          <select value={days} onChange={(e) => setDays(e.target.value)} className={inputClass}>
            <option value="7">7 days</option>
            <option value="30">30 days</option>
            <option value="90">90 days</option>
            <option value="365">1 year</option>
            <option value="">never</option>
          </select>
        </Field>
        <Button type="submit" variant="primary" className="mt-6" disabled={!name.trim()}>Create token</Button>
      </div>
    </form>
  );
}

function Tokens() {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: ['api-tokens'], queryFn: () => api.auth.listApiTokens.query({ all: false }) });
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-4 text-sm text-slate-500">Personal API tokens for the CLI and scripts (BERTH_TOKEN, or Authorization: Bearer). A token acts as you, capped by its scope.</p>
      <SettingsNav />
      <CreateToken onCreated={(t) => { setSecret(t); setCopied(false); }} say={(text, ok) => setOutcome({ text, ok })} />
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mb-3">{outcome.text}</Notice>}
      {secret && (
        <div role="group" aria-label="New token" className="mb-4 flex items-center gap-2 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm dark:border-emerald-800 dark:bg-emerald-950/40">
          <code className="flex-1 break-all">{secret}</code>
          <Button size="sm" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy'}</Button>
          <Button size="sm" onClick={() => setSecret(null)}>Done</Button>
        </div>
      )}
      {tokens.error && <Notice tone="error" className="mb-3">{errorMessage(tokens.error)}</Notice>}
      <Table<TokenRow>
        label="API tokens"
        rows={tokens.data ?? []}
        rowKey={(t) => t.id}
        empty={tokens.isLoading ? 'Loading…' : 'No tokens yet: create one above for the CLI or a script.'}
        columns={[
          { key: 'name', header: 'Name', cell: (t) => <span className="font-medium">{t.name}</span> },
          { key: 'prefix', header: 'Prefix', cell: (t) => <code>{t.prefix}…</code> },
          { key: 'scope', header: 'Scope', cell: (t) => t.scope ?? 'all your rights' },
          { key: 'used', header: 'Last used', cell: (t) => (t.lastUsedAt ? isoAgo(t.lastUsedAt) : 'never'), className: 'whitespace-nowrap' },
          { key: 'expires', header: 'Expires', cell: (t) => (t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : 'never'), className: 'whitespace-nowrap' },
          { key: 'state', header: 'State', cell: stateOf },
          {
            key: 'actions', header: 'Actions', cell: (t) => (stateOf(t) === 'active'
              ? <ConfirmAction label={`Revoke token ${t.name}`} button="Revoke" confirm="Confirm revoke" pendingText="Revoking…" question={<>Revoke <strong>{t.name}</strong>? What uses it stops working at once.</>} action={() => api.auth.revokeApiToken.mutate({ token: t.id })} onSettled={() => void refresh(client, ['api-tokens'])} />
              : null),
          },
        ]}
      />
    </>
  );
}

export default function TokensPage() {
  return (
    <AppShell>
      <Tokens />
    </AppShell>
  );
}
