/** A determinate bar (an image layer's download), or an indeterminate one when the total is unknown. */
export function ProgressBar({ label, value, max, text }: { label: string; value: number; max: number; text?: string }) {
  const known = max > 0;
  const pct = known ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <div className="min-w-32" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} {...(known ? { 'aria-valuenow': Math.round(pct) } : {})} {...(text ? { 'aria-valuetext': text } : {})}>
      <div className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
        <div className={`h-full bg-sky-600 transition-[width] duration-200 ${known ? '' : 'animate-pulse'}`} style={{ width: known ? `${pct}%` : '100%' }} />
      </div>
      {text && <div className="mt-0.5 text-xs text-slate-500">{text}</div>}
    </div>
  );
}
