/**
 * A small horizontal gauge with its figure: for CPU, memory and disk use (`kind="usage"`: the
 * fuller, the redder), or for how much of a goal is met, such as replicas running of those
 * desired (`kind="goal"`: green when met, amber until then).
 */
export function Meter({ label, value, max, text, kind = 'usage' }: { label: string; value: number; max: number; text: string; kind?: 'usage' | 'goal' }) {
  const pct = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  const met = max > 0 ? value >= max : value === 0;
  const tone = kind === 'goal' ? (met ? 'bg-emerald-600' : 'bg-amber-500') : pct > 90 ? 'bg-rose-500' : pct > 70 ? 'bg-amber-500' : 'bg-sky-600';
  return (
    <div className="min-w-24" role="meter" aria-label={label} aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100} aria-valuetext={text} title={`${label}: ${text}`}>
      <div className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800">
        <div className={`h-full ${tone}`} style={{ width: `${kind === 'goal' && max === 0 && met ? 100 : pct}%` }} />
      </div>
      <div className="mt-0.5 text-xs text-slate-500">{text}</div>
    </div>
  );
}
