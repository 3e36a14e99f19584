import type { ReactNode } from 'react';

/** A term and its value, as `docker inspect` and `docker info` summaries show them; `sub` indents a detail of the one above. */
export function Fact({ term, children, sub }: { term: string; children: ReactNode; sub?: boolean }) {
  return (
    <>
      <dt className={sub ? 'pl-4 text-slate-500' : 'text-slate-500'}>{term}</dt>
      <dd className="break-all">{children}</dd>
    </>
  );
}

/** The two columns the facts line up in. */
export function FactList({ label, children }: { label?: string; children: ReactNode }) {
  return <dl aria-label={label} className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">{children}</dl>;
}
