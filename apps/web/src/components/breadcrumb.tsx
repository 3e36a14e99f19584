import Link from 'next/link';
import { Fragment, type ReactNode } from 'react';

/** Where a page sits: the links up to it, each followed by a slash, then the page itself. */
export function Breadcrumb({ trail, current }: { trail: { href: string; label: string }[]; current: ReactNode }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
      {trail.map((t) => <Fragment key={t.href}><Link href={t.href} className="hover:underline">{t.label}</Link> / </Fragment>)}
      {current}
    </nav>
  );
}

/** The first two steps of a page under a host: the fleet's hosts, then the host. */
export const hostTrail = (host: string) => [{ href: '/', label: 'Hosts' }, { href: `/hosts/${encodeURIComponent(host)}`, label: host }];
