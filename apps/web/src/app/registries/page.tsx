'use client';
import { Button, Field, inputClass, Notice, Table } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { RegistryRow } from '../../lib/api-types.ts';
import { AppShell } from '../../lib/app-shell.tsx';
import { isoAgo } from '../../lib/format.ts';
import { hasRole, useRole } from '../../lib/roles.ts';
import { api, errorMessage } from '../../lib/trpc.ts';
import { refresh } from '../../lib/refresh.ts';

type Outcome = { ok: boolean; text: string };

/**
 * `docker login`: the registry, the user and the password; the password is never shown
 * again (no procedure returns it) and the field is emptied once the form is sent.
 */
function LoginForm({ onOutcome }: { onOutcome: (o: Outcome) => void }) {
  const client = useQueryClient();
  const [registry, setRegistry] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = { registry: registry.trim(), username: username.trim(), password };
    setPassword('');
    setBusy(true);
    try {
      const saved = await api.registries.login.mutate(sent);
      // stored, not tried: the registry sees them at the next pull or push
      onOutcome({ ok: true, text: `Credentials stored for ${saved.username} on ${saved.registry}: pulls and pushes there use them.` });
      setRegistry('');
      setUsername('');
    } catch (err) {
      onOutcome({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
      void refresh(client, ['registries']);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Log in to a registry" autoComplete="off" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Registry" hint="host[:port], e.g. registry.example.com:5000" className="min-w-56 flex-1">
          <input value={registry} onChange={(e) => setRegistry(e.target.value)} required spellCheck={false} placeholder="registry.example.com" className={inputClass} />
        </Field>
        <Field label="Username" className="min-w-40 flex-1">
          <input value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} autoComplete="off" className={inputClass} />
        </Field>
        <Field label="Password" hint="or an access token; stored sealed, never shown again" className="min-w-40 flex-1">
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" className={inputClass} />
        </Field>
        <Button type="submit" variant="primary" className="mt-6" disabled={busy || !registry.trim() || !username.trim() || !password}>{busy ? 'Logging in…' : 'Log in'}</Button>
      </div>
    </form>
  );
}

function LogoutButton({ row, onOutcome }: { row: RegistryRow; onOutcome: (o: Outcome) => void }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const logout = async () => {
    setBusy(true);
    try {
      await api.registries.logout.mutate({ registry: row.registry });
      onOutcome({ ok: true, text: `Removing login credentials for ${row.registry}` });
    } catch (err) {
      onOutcome({ ok: false, text: errorMessage(err) });
    } finally {
      setBusy(false);
      void refresh(client, ['registries']);
    }
  };
  return <Button size="sm" variant="danger" aria-label={`Log out of ${row.registry}`} disabled={busy} onClick={() => void logout()}>{busy ? 'Logging out…' : 'Log out'}</Button>;
}

function Registries() {
  const role = useRole();
  const admin = hasRole(role, 'admin');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const list = useQuery({ queryKey: ['registries'], queryFn: () => api.registries.list.query() });
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Registries</h1>
      <p className="mb-4 text-sm text-slate-500">Credentials the agents use to pull from and push to private registries, as docker login keeps them.</p>
      {admin ? <LoginForm onOutcome={setOutcome} /> : <Notice tone="info" className="mb-4">Only admins log in to or out of registries.</Notice>}
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mb-3">{outcome.text}</Notice>}
      {list.error && <Notice tone="error" className="mb-3">{errorMessage(list.error)}</Notice>}
      <Table<RegistryRow>
        label="Registries"
        rows={list.data ?? []}
        rowKey={(r) => r.registry}
        empty={list.isLoading ? 'Loading…' : 'No registry credentials: images are pulled anonymously.'}
        columns={[
          { key: 'registry', header: 'Registry', cell: (r) => <span className="font-medium">{r.registry}</span> },
          { key: 'username', header: 'Username', cell: (r) => r.username },
          { key: 'updated', header: 'Updated', cell: (r) => <span title={new Date(r.updatedAt).toLocaleString()}>{isoAgo(r.updatedAt)}</span>, className: 'whitespace-nowrap' },
          ...(admin ? [{ key: 'actions', header: 'Actions', cell: (r: RegistryRow) => <LogoutButton row={r} onOutcome={setOutcome} /> }] : []),
        ]}
      />
    </>
  );
}

export default function RegistriesPage() {
  return (
    <AppShell>
      <Registries />
    </AppShell>
  );
}
