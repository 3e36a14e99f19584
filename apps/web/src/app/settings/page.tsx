'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { AppShell } from '../../lib/app-shell.tsx';
import { useSiteAdmin } from '../../lib/roles.ts';

/** Settings opens on Users for site admins, on Teams for everyone else. */
function SettingsIndex() {
  const router = useRouter();
  const siteAdmin = useSiteAdmin();
  useEffect(() => router.replace(siteAdmin ? '/settings/users' : '/settings/teams'), [router, siteAdmin]);
  return <p className="text-sm text-slate-500">Loading…</p>;
}

export default function SettingsPage() {
  return (
    <AppShell>
      <SettingsIndex />
    </AppShell>
  );
}
