'use client';
import { Shell } from '@berth/ui';
import { usePathname, useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { Keyboard } from '../components/keyboard.tsx';
import { api } from './trpc.ts';
import { useFleetEvents } from './use-fleet-events.ts';
import { useSession } from './use-session.ts';

const NAV = [
  { href: '/', label: 'Hosts', match: (p: string) => p === '/' || (p.startsWith('/hosts/') && !p.includes('/containers/') && !p.includes('/networks/')) },
  { href: '/containers', label: 'Containers', match: (p: string) => p.startsWith('/containers') || /^\/hosts\/[^/]+\/containers\//.test(p) },
  { href: '/services', label: 'Services', match: (p: string) => p.startsWith('/services') || p.startsWith('/stacks') || p.startsWith('/secrets') },
  { href: '/images', label: 'Images', match: (p: string) => p.startsWith('/images') },
  { href: '/volumes', label: 'Volumes', match: (p: string) => p.startsWith('/volumes') },
  { href: '/networks', label: 'Networks', match: (p: string) => p.startsWith('/networks') || /^\/hosts\/[^/]+\/networks\//.test(p) },
  { href: '/registries', label: 'Registries', match: (p: string) => p.startsWith('/registries') },
  { href: '/audit', label: 'Audit log', match: (p: string) => p.startsWith('/audit') },
  { href: '/settings', label: 'Settings', match: (p: string) => p.startsWith('/settings') },
];

/** What the header says the user is: the site role, or the teams with the role on each. */
const whoIs = (me: { username: string; siteRole: string | null; teams: { name: string; role: string | null }[] }) =>
  `${me.username} (${me.siteRole ?? (me.teams.map((t) => `${t.role} of ${t.name}`).join(', ') || 'no team')})`;

export function AppShell({ children }: { children: ReactNode }) {
  const me = useSession();
  const path = usePathname();
  const router = useRouter();
  const signOut = async () => {
    await api.auth.logout.mutate();
    router.replace('/login');
  };
  const signOutEverywhere = async () => {
    await api.auth.logoutEverywhere.mutate();
    router.replace('/login');
  };
  if (!me.data) return <div className="p-8 text-sm text-slate-500">{me.error ? 'Signing in…' : 'Loading…'}</div>;
  return (
    <Shell nav={NAV.map(({ href, label, match }) => ({ href, label, active: match(path) }))} user={whoIs(me.data)} onSignOut={signOut} onSignOutEverywhere={signOutEverywhere}>
      {children}
      {/* the command palette (Ctrl+K) and the keyboard shortcuts */}
      <Keyboard />
    </Shell>
  );
}

/**
 * A fleet-wide list page (Containers, Services, Stacks, Images, Volumes, Networks): the shell, the fleet's event
 * stream without the hosts' metrics, the heading with any `actions` beside it, then the list.
 */
export function FleetPage({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <AppShell>
      <FleetPageBody title={title} actions={actions}>{children}</FleetPageBody>
    </AppShell>
  );
}

// inside the shell: the event stream starts once the session is there
function FleetPageBody({ title, actions, children }: { title: string; actions: ReactNode; children: ReactNode }) {
  useFleetEvents({ metrics: false });
  return (
    <>
      {actions ? (
        <div className="mb-4 flex items-baseline justify-between gap-4">
          <h1 className="text-2xl font-semibold">{title}</h1>
          {actions}
        </div>
      ) : (
        <h1 className="mb-4 text-2xl font-semibold">{title}</h1>
      )}
      {children}
    </>
  );
}
