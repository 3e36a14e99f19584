'use client';
import { Button, Field, inputClass, Notice, Table } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '../../../components/confirm-action.tsx';
import { SettingsNav } from '../../../components/settings-nav.tsx';
import { AppShell } from '../../../lib/app-shell.tsx';
import { isoAgo } from '../../../lib/format.ts';
import { useSiteAdmin } from '../../../lib/roles.ts';
import { api, errorMessage } from '../../../lib/trpc.ts';
import { refresh } from '../../../lib/refresh.ts';

type UserRow = Awaited<ReturnType<typeof api.users.list.query>>[number];
type SiteRole = 'admin' | 'operator' | 'viewer';

/** A new user with a site role (or none: only teams) and optionally a first team; the password is typed by the admin and handed over. */
function CreateUser({ onDone }: { onDone: (text: string, ok: boolean) => void }) {
  const client = useQueryClient();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list.query() });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<SiteRole | ''>('');
  const [team, setTeam] = useState('');
  const [teamRole, setTeamRole] = useState<'owner' | 'admin' | 'operator' | 'viewer'>('viewer');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const u = await api.users.create.mutate({ username: username.trim(), password, role: role || null, ...(team ? { team, teamRole } : {}) });
      onDone(`User ${u.username} created${team ? `, ${teamRole} of ${team}` : ''}.`, true);
      setUsername('');
      setPassword('');
    } catch (err) {
      onDone(errorMessage(err), false);
    } finally {
      setBusy(false);
      void refresh(client, ['users']);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Create a user" autoComplete="off" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Username" hint="lower-case letters, digits, . _ -" className="min-w-40 flex-1">
          <input value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} className={inputClass} />
        </Field>
        <Field label="Password" hint="at least 8 characters" className="min-w-40 flex-1">
          <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} autoComplete="new-password" className={inputClass} />
        </Field>
        <Field label="Site role" hint="over every team; none: only the teams below" className="min-w-36">
          <select value={role} onChange={(e) => setRole(e.target.value as SiteRole | '')} className={inputClass}>
            <option value="">none</option>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </Field>
        <Field label="Team" className="min-w-36">
          <select value={team} onChange={(e) => setTeam(e.target.value)} className={inputClass}>
            <option value="">no team</option>
            {(teams.data ?? []).map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
          </select>
        </Field>
        {team && (
          <Field label="Team role" className="min-w-32">
            <select value={teamRole} onChange={(e) => setTeamRole(e.target.value as typeof teamRole)} className={inputClass}>
              {(['viewer', 'operator', 'admin', 'owner'] as const).map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
        )}
        <Button type="submit" variant="primary" className="mt-6" disabled={busy || !username.trim() || password.length < 8}>{busy ? 'Creating…' : 'Create user'}</Button>
      </div>
    </form>
  );
}

function SiteRoleSelect({ user, onDone }: { user: UserRow; onDone: (text: string, ok: boolean) => void }) {
  const client = useQueryClient();
  const change = async (value: string) => {
    try {
      await api.users.setSiteRole.mutate({ username: user.username, role: value ? (value as SiteRole) : null });
      onDone(`${user.username} is now ${value ? `site ${value}` : 'without a site role'}.`, true);
    } catch (err) {
      onDone(errorMessage(err), false);
    } finally {
      void refresh(client, ['users']);
    }
  };
  return (
    <select aria-label={`Site role of ${user.username}`} value={user.role ?? ''} onChange={(e) => void change(e.target.value)} className="rounded-md border border-slate-300 bg-transparent px-2 py-0.5 text-xs dark:border-slate-700">
      <option value="">none</option>
      <option value="viewer">viewer</option>
      <option value="operator">operator</option>
      <option value="admin">admin</option>
    </select>
  );
}

function Users() {
  const siteAdmin = useSiteAdmin();
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list.query(), enabled: siteAdmin });
  const done = (text: string, ok: boolean) => setOutcome({ text, ok });
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-4 text-sm text-slate-500">Users sign in with a password. A site role counts on every team; without one a user sees only the hosts of their teams.</p>
      <SettingsNav />
      {!siteAdmin ? (
        <Notice tone="info">Only site admins manage users. Team owners and admins invite people from the Teams page.</Notice>
      ) : (
        <>
          <CreateUser onDone={done} />
          {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mb-3">{outcome.text}</Notice>}
          {users.error && <Notice tone="error" className="mb-3">{errorMessage(users.error)}</Notice>}
          <Table<UserRow>
            label="Users"
            rows={users.data ?? []}
            rowKey={(u) => u.id}
            empty={users.isLoading ? 'Loading…' : 'No users.'}
            columns={[
              { key: 'username', header: 'Username', cell: (u) => <span className="font-medium">{u.username}</span> },
              { key: 'role', header: 'Site role', cell: (u) => <SiteRoleSelect user={u} onDone={done} /> },
              { key: 'teams', header: 'Teams', cell: (u) => (u.teams.length ? u.teams.map((t) => `${t.name} (${t.role})`).join(', ') : <span className="text-slate-400">none</span>) },
              { key: 'created', header: 'Created', cell: (u) => isoAgo(u.createdAt), className: 'whitespace-nowrap' },
              {
                key: 'actions', header: 'Actions', cell: (u) => (
                  <ConfirmAction label={`Remove user ${u.username}`} question={<>Remove <strong>{u.username}</strong>, their sessions, API tokens and memberships?</>} action={() => api.users.remove.mutate({ username: u.username })} onSettled={() => void refresh(client, ['users'])} />
                ),
              },
            ]}
          />
        </>
      )}
    </>
  );
}

export default function UsersPage() {
  return (
    <AppShell>
      <Users />
    </AppShell>
  );
}
