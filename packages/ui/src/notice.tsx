import type { ReactNode } from 'react';

const TONE = {
  warning: 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200',
  error: 'border-rose-300 bg-rose-50 text-rose-900 dark:border-rose-800 dark:bg-rose-950/40 dark:text-rose-200',
  info: 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-200',
} as const;

/** A one-block message: a warning (a host that did not answer), an error, or a result. */
export function Notice({ tone = 'info', children, className = '' }: { tone?: keyof typeof TONE; children: ReactNode; className?: string }) {
  return (
    <div role={tone === 'info' ? 'status' : 'alert'} className={`rounded-md border px-3 py-2 text-sm ${TONE[tone]} ${className}`}>
      {children}
    </div>
  );
}
