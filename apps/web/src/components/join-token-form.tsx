'use client';
import { Button, Field, inputClass, Notice } from '@berth/ui';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../lib/trpc.ts';
import { TeamSelect } from './team-select.tsx';

/** `berth host join-token --team T`: a token an agent enrolls with, into the chosen team; shown once. */
export function JoinTokenForm() {
  const [team, setTeam] = useState('');
  const [hostName, setHostName] = useState('');
  const [made, setMade] = useState<{ token: string; team: string; expiresAt: Date } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const t = await api.hosts.createJoinToken.mutate({ ...(team ? { team } : {}), ...(hostName.trim() ? { hostName: hostName.trim() } : {}) });
      setMade({ token: t.token, team: t.team, expiresAt: t.expiresAt });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} aria-label="Create a join token" className="mb-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 className="mb-2 font-semibold">Or enroll an agent you install yourself</h2>
      <div className="flex flex-wrap items-start gap-3">
        <Field label="Team" hint="the team that will own the host" className="min-w-40">
          <TeamSelect value={team} onChange={setTeam} />
        </Field>
        <Field label="Host name (optional)" hint="else the agent proposes its own" className="min-w-48">
          <input value={hostName} onChange={(e) => setHostName(e.target.value)} spellCheck={false} pattern="[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?" className={inputClass} />
        </Field>
        <Button type="submit" className="mt-6">Create join token</Button>
      </div>
      {error && <Notice tone="error" className="mt-3">{error}</Notice>}
      {made && (
        <Notice tone="info" className="mt-3">
          <code className="break-all">{made.token}</code>
          <span className="block text-xs">Joins team {made.team}; single use, valid until {new Date(made.expiresAt).toLocaleString()}. Give it to the agent as BERTH_JOIN_TOKEN; it is not shown again.</span>
        </Notice>
      )}
    </form>
  );
}
