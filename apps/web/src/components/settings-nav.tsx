'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useSiteAdmin } from '../lib/roles.ts';

/** The Settings area's pages: Users (site admins), Teams, API tokens. */
export function SettingsNav() {
  const path = usePathname();
  const siteAdmin = useSiteAdmin();
  const pages = [...(siteAdmin ? [{ href: '/settings/users', label: 'Users' }] : []), { href: '/settings/teams', label: 'Teams' }, { href: '/settings/tokens', label: 'API tokens' }];
  return (
    <nav aria-label="Settings" className="mb-6 flex gap-4 border-b border-slate-200 text-sm dark:border-slate-800">
      {pages.map((p) => (
        <Link key={p.href} href={p.href} aria-current={path === p.href ? 'page' : undefined} className={`-mb-px border-b-2 px-1 pb-2 ${path === p.href ? 'border-sky-700 font-medium text-sky-700 dark:text-sky-400' : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400'}`}>
          {p.label}
        </Link>
      ))}
    </nav>
  );
}
