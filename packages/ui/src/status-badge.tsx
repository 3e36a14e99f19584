const TONE: Record<string, string> = {
  // hosts
  online: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300',
  degraded: 'bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300',
  offline: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  pending: 'bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-300',
  revoked: 'bg-rose-100 text-rose-800 dark:bg-rose-900/40 dark:text-rose-300',
  // containers: Docker's seven states
  running: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300',
  paused: 'bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300',
  restarting: 'bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-300',
  created: 'bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-300',
  removing: 'bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-300',
  exited: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  dead: 'bg-rose-100 text-rose-800 dark:bg-rose-900/40 dark:text-rose-300',
  // container health: Docker's healthcheck statuses
  healthy: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300',
  starting: 'bg-sky-100 text-sky-800 dark:bg-sky-900/40 dark:text-sky-300',
  unhealthy: 'bg-rose-100 text-rose-800 dark:bg-rose-900/40 dark:text-rose-300',
};

/** A host's or container's state as a coloured pill; the text stays for screen readers and tests. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span data-status={status} className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${TONE[status] ?? TONE.offline}`}>
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-current" />
      {status}
    </span>
  );
}
