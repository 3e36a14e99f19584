'use client';
import { Button, Field, inputClass, Notice, Table } from '@berth/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '../../../components/confirm-action.tsx';
import { SettingsNav } from '../../../components/settings-nav.tsx';
import { AppShell } from '../../../lib/app-shell.tsx';
import { isoAgo } from '../../../lib/format.ts';
import { hasRole, useSiteAdmin } from '../../../lib/roles.ts';
import { api, errorMessage } from '../../../lib/trpc.ts';
import { refresh as refreshQueries } from '../../../lib/refresh.ts';

type TeamRow = Awaited<ReturnType<typeof api.teams.list.query>>[number];
type MemberRow = Awaited<ReturnType<typeof api.teams.members.query>>[number];
type InvitationRow = Awaited<ReturnType<typeof api.invitations.list.query>>[number];
type TeamRole = 'owner' | 'admin' | 'operator' | 'viewer';
const ROLES: TeamRole[] = ['viewer', 'operator', 'admin', 'owner'];
type Say = (text: string, ok: boolean) => void;

function CreateTeam({ say }: { say: Say }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const t = await api.teams.create.mutate({ name: name.trim() });
      say(`Team ${t.name} created: add members or invite people, then give it hosts with a join token for it.`, true);
      setName('');
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      void refreshQueries(client, ['teams']);
    }
  };
  return (
    <form onSubmit={submit} aria-label="Create a team" className="mb-4 flex items-start gap-3">
      <Field label="New team" hint="lower-case letters, digits and -" className="min-w-56">
        <input value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} className={inputClass} />
      </Field>
      <Button type="submit" variant="primary" className="mt-6" disabled={!name.trim()}>Create team</Button>
    </form>
  );
}

/** An invitation just made: the link, shown once, with a copy button. */
function InvitationLink({ link }: { link: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="group" aria-label="Invitation link" className="mb-3 flex items-center gap-2 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm dark:border-emerald-800 dark:bg-emerald-950/40">
      <code className="flex-1 break-all">{link}</code>
      <Button size="sm" onClick={() => void navigator.clipboard?.writeText(link).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy link'}</Button>
    </div>
  );
}

function Invitations({ team, say }: { team: TeamRow; say: Say }) {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['invitations', team.name], queryFn: () => api.invitations.list.query({ team: team.name }) });
  const [role, setRole] = useState<TeamRole>('viewer');
  const [days, setDays] = useState(7);
  const [link, setLink] = useState<string | null>(null);
  const invite = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const i = await api.invitations.create.mutate({ team: team.name, role, ttlSeconds: days * 86400 });
      setLink(`${window.location.origin}/invite/${i.token}`);
      say(`Invitation to ${team.name} as ${i.role} made: send the link; it works once, until ${new Date(i.expiresAt).toLocaleString()}.`, true);
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      void refreshQueries(client, ['invitations', team.name]);
    }
  };
  return (
    <section aria-label={`Invitations to ${team.name}`} className="mt-6">
      <h3 className="mb-2 font-semibold">Invitations</h3>
      <form onSubmit={invite} aria-label="Invite to the team" className="mb-3 flex flex-wrap items-start gap-3">
        <Field label="Role" className="min-w-32">
          <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)} className={inputClass}>
            {ROLES.filter((r) => r !== 'owner' || team.myRole === 'owner').map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Valid for (days)" className="w-32">
          <input type="number" min={1} max={30} value={days} onChange={(e) => setDays(Number(e.target.value) || 1)} className={inputClass} />
        </Field>
        <Button type="submit" variant="primary" className="mt-6">Create invitation</Button>
      </form>
      {link && <InvitationLink link={link} />}
      <Table<InvitationRow>
        label={`Invitations to ${team.name}`}
        rows={list.data ?? []}
        rowKey={(i) => i.id}
        empty={list.isLoading ? 'Loading…' : 'No invitations yet.'}
        columns={[
          { key: 'role', header: 'Role', cell: (i) => i.role },
          { key: 'state', header: 'State', cell: (i) => i.state },
          { key: 'expires', header: 'Expires', cell: (i) => new Date(i.expiresAt).toLocaleString(), className: 'whitespace-nowrap' },
          { key: 'created', header: 'Created', cell: (i) => isoAgo(i.createdAt), className: 'whitespace-nowrap' },
          {
            key: 'actions', header: 'Actions', cell: (i) => (i.state === 'pending'
              ? <ConfirmAction label={`Revoke invitation ${i.id.slice(0, 8)}`} button="Revoke" confirm="Confirm revoke" pendingText="Revoking…" question={<>Revoke this {i.role} invitation? Its link stops working.</>} action={() => api.invitations.revoke.mutate({ id: i.id })} onSettled={() => void refreshQueries(client, ['invitations', team.name])} />
              : null),
          },
        ]}
      />
    </section>
  );
}

function Members({ team, say }: { team: TeamRow; say: Say }) {
  const client = useQueryClient();
  const members = useQuery({ queryKey: ['members', team.name], queryFn: () => api.teams.members.query({ team: team.name }) });
  const manage = hasRole(team.myRole, 'admin');
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<TeamRole>('viewer');
  const refresh = () => {
    void refreshQueries(client, ['members', team.name]);
    void refreshQueries(client, ['teams']);
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.teams.addMember.mutate({ team: team.name, username: username.trim(), role });
      say(`${username.trim()} is now ${role} of ${team.name}.`, true);
      setUsername('');
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      refresh();
    }
  };
  const setMemberRole = async (m: MemberRow, next: TeamRole) => {
    try {
      await api.teams.setMemberRole.mutate({ team: team.name, username: m.username, role: next });
      say(`${m.username} is now ${next} of ${team.name}.`, true);
    } catch (err) {
      say(errorMessage(err), false);
    } finally {
      refresh();
    }
  };
  return (
    <section aria-label={`Members of ${team.name}`}>
      <h2 className="mb-2 text-lg font-semibold">Team {team.name}</h2>
      {manage && (
        <form onSubmit={add} aria-label="Add a member" className="mb-3 flex flex-wrap items-start gap-3">
          <Field label="Existing user" className="min-w-48">
            <input value={username} onChange={(e) => setUsername(e.target.value)} required spellCheck={false} className={inputClass} />
          </Field>
          <Field label="Member role" className="min-w-32">
            <select value={role} onChange={(e) => setRole(e.target.value as TeamRole)} className={inputClass}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <Button type="submit" className="mt-6" disabled={!username.trim()}>Add member</Button>
        </form>
      )}
      <Table<MemberRow>
        label={`Members of ${team.name}`}
        rows={members.data ?? []}
        rowKey={(m) => m.userId}
        empty={members.isLoading ? 'Loading…' : 'No members yet: invite someone below.'}
        columns={[
          { key: 'username', header: 'Username', cell: (m) => <span className="font-medium">{m.username}</span> },
          {
            key: 'role', header: 'Role', cell: (m) => (manage
              ? <select aria-label={`Role of ${m.username}`} value={m.role} onChange={(e) => void setMemberRole(m, e.target.value as TeamRole)} className="rounded-md border border-slate-300 bg-transparent px-2 py-0.5 text-xs dark:border-slate-700">{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</select>
              : m.role),
          },
          { key: 'since', header: 'Member since', cell: (m) => isoAgo(m.since), className: 'whitespace-nowrap' },
          ...(manage ? [{
            key: 'actions', header: 'Actions', cell: (m: MemberRow) => (
              <ConfirmAction label={`Remove ${m.username} from ${team.name}`} question={<>Remove <strong>{m.username}</strong> from {team.name}? They lose sight of its hosts.</>} action={() => api.teams.removeMember.mutate({ team: team.name, username: m.username })} onSettled={refresh} />
            ),
          }] : []),
        ]}
      />
      {manage && <Invitations team={team} say={say} />}
    </section>
  );
}

function Teams() {
  const siteAdmin = useSiteAdmin();
  const client = useQueryClient();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list.query() });
  const [chosen, setChosen] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  const say: Say = (text, ok) => setOutcome({ text, ok });
  const team = teams.data?.find((t) => t.name === chosen) ?? teams.data?.[0];
  return (
    <>
      <h1 className="mb-1 text-2xl font-semibold">Settings</h1>
      <p className="mb-4 text-sm text-slate-500">Teams own hosts. Members see a team&apos;s hosts and act on them with their role: viewer reads, operator runs containers, admin and owner also run privileged ones and enroll or remove hosts.</p>
      <SettingsNav />
      {siteAdmin && <CreateTeam say={say} />}
      {outcome && <Notice tone={outcome.ok ? 'info' : 'error'} className="mb-3">{outcome.text}</Notice>}
      {teams.error && <Notice tone="error" className="mb-3">{errorMessage(teams.error)}</Notice>}
      <Table<TeamRow>
        label="Teams"
        rows={teams.data ?? []}
        rowKey={(t) => t.id}
        empty={teams.isLoading ? 'Loading…' : 'You are in no team yet: ask a team admin for an invitation.'}
        columns={[
          { key: 'name', header: 'Team', cell: (t) => <button type="button" onClick={() => setChosen(t.name)} aria-pressed={team?.id === t.id} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{t.name}</button> },
          { key: 'members', header: 'Members', cell: (t) => t.members },
          { key: 'hosts', header: 'Hosts', cell: (t) => t.hosts },
          { key: 'role', header: 'Your role', cell: (t) => t.myRole ?? '—' },
          ...(siteAdmin ? [{
            key: 'actions', header: 'Actions', cell: (t: TeamRow) => (
              <ConfirmAction label={`Remove team ${t.name}`} question={<>Remove team <strong>{t.name}</strong> with its memberships and invitations?</>} action={() => api.teams.remove.mutate({ team: t.name })} onSettled={() => void refreshQueries(client, ['teams'])} />
            ),
          }] : []),
        ]}
      />
      {team && <div className="mt-6"><Members key={team.id} team={team} say={say} /></div>}
    </>
  );
}

export default function TeamsPage() {
  return (
    <AppShell>
      <Teams />
    </AppShell>
  );
}
