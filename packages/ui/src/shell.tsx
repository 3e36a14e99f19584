import type { ReactNode } from 'react';

export interface NavItem { href: string; label: string; active?: boolean }

/**
 * The page frame: brand, navigation, the signed-in user with sign-out (and, when given, sign-out
 * on every browser), and the content.
 */
export function Shell({ nav, user, onSignOut, onSignOutEverywhere, children }: { nav: NavItem[]; user?: string; onSignOut?: () => void; onSignOutEverywhere?: () => void; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
          <span className="text-lg font-semibold tracking-tight">⚓ berth</span>
          <nav className="flex gap-4 text-sm">
            {nav.map((n) => (
              <a key={n.href} href={n.href} aria-current={n.active ? 'page' : undefined} className={n.active ? 'font-medium text-sky-700 dark:text-sky-400' : 'text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'}>
                {n.label}
              </a>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
            {user && <span>{user}</span>}
            {onSignOut && <button type="button" onClick={onSignOut} className="rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">Sign out</button>}
            {onSignOutEverywhere && (
              <details className="relative">
                <summary aria-label="Account menu" className="cursor-pointer list-none rounded-md border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">⋯</summary>
                <div className="absolute right-0 z-10 mt-1 w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
                  <button type="button" onClick={onSignOutEverywhere} className="w-full rounded px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800">Sign out everywhere</button>
                </div>
              </details>
            )}
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
