'use client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, isUnauthorized } from '../../../lib/trpc.ts';
import { useRouteParams } from '../../../lib/use-route-params.ts';

const inputClass = 'w-full rounded-md border border-slate-300 bg-transparent px-3 py-2 dark:border-slate-700';

/**
 * An invitation link: what it offers, then either "join" for a signed-in user or a new
 * account (user name and password) for someone signed out. Usable without a session.
 */
export default function InvitePage() {
  const { token } = useRouteParams<'token'>();
  const router = useRouter();
  const offer = useQuery({ queryKey: ['invitation', token], queryFn: () => api.invitations.preview.query({ token }), retry: false });
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me.query(), retry: false });
  const signedIn = !!me.data;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    if (!signedIn && form.get('password') !== form.get('confirm')) return setError('the two passwords differ: type the same password twice');
    setBusy(true);
    setError(null);
    try {
      await api.invitations.accept.mutate(signedIn ? { token } : { token, username: String(form.get('username')), password: String(form.get('password')) });
      window.location.assign('/');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 bg-white p-8 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-xl font-semibold">⚓ Join a team on berth</h1>
        {offer.isLoading && <p className="text-sm text-slate-500">Checking the invitation…</p>}
        {offer.error && (
          <>
            <p role="alert" className="text-sm text-rose-600">{errorMessage(offer.error)}</p>
            <button type="button" onClick={() => router.replace('/login')} className="text-sm text-sky-700 hover:underline">Go to sign-in</button>
          </>
        )}
        {offer.data && (
          <form onSubmit={submit} aria-label="Accept the invitation" className="space-y-4">
            <p className="text-sm">
              You are invited to team <strong>{offer.data.team}</strong> as <strong>{offer.data.role}</strong>. The link works once, until {new Date(offer.data.expiresAt).toLocaleString()}.
            </p>
            {signedIn ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">You are signed in as {me.data!.username}: join with this account.</p>
            ) : (
              <>
                {me.error && !isUnauthorized(me.error) && <p role="alert" className="text-sm text-rose-600">{errorMessage(me.error)}</p>}
                <label className="block text-sm">
                  <span className="mb-1 block text-slate-600 dark:text-slate-400">Choose a username</span>
                  <input name="username" autoComplete="username" required pattern="[a-z0-9][a-z0-9._\-]{0,62}" title="lower-case letters, digits, . _ and -" className={inputClass} />
                </label>
                <label className="block text-sm">
                  <span className="mb-1 block text-slate-600 dark:text-slate-400">Choose a password</span>
                  <input name="password" type="password" autoComplete="new-password" required minLength={8} className={inputClass} />
                </label>
                <label className="block text-sm">
                  <span className="mb-1 block text-slate-600 dark:text-slate-400">Repeat the password</span>
                  <input name="confirm" type="password" autoComplete="new-password" required minLength={8} className={inputClass} />
                </label>
              </>
            )}
            {error && <p role="alert" className="text-sm text-rose-600">{error}</p>}
            <button type="submit" disabled={busy} className="w-full rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60">
              {busy ? 'Joining…' : signedIn ? `Join ${offer.data.team}` : 'Create account and join'}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
