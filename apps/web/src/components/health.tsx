'use client';
import { Notice, StatusBadge } from '@berth/ui';
import { useQuery } from '@tanstack/react-query';
import type { ContainerRow } from '../lib/api-types.ts';
import { api, errorMessage } from '../lib/trpc.ts';

/**
 * A container's healthcheck status next to its state, as ps's "(healthy)": only while it runs,
 * since a stopped or paused container's probes do not run.
 */
export function HealthBadge({ c }: { c: Pick<ContainerRow, 'health' | 'state'> }) {
  if (!c.health || c.state !== 'running') return null;
  return (
    <span aria-label="Container health" title={`healthcheck: ${c.health}`}>
      <StatusBadge status={c.health} />
    </span>
  );
}

interface InspectHealth {
  State?: { Health?: { Status: string; FailingStreak: number; Log: { Start: string; End: string; ExitCode: number; Output: string }[] } };
  Config?: { Healthcheck?: { Test?: string[] } };
}

/** The last probe results (docker inspect's State.Health.Log), newest first. */
export function HealthPanel({ host, id }: { host: string; id: string }) {
  // the same query as the Inspect panel: every container event refetches it
  const inspect = useQuery({ queryKey: ['container', host, id, 'inspect'], queryFn: () => api.containers.inspect.query({ host, id }), refetchInterval: 15_000 });
  if (inspect.error) return <Notice tone="error" className="mb-4">Health unavailable: {errorMessage(inspect.error)}</Notice>;
  const doc = inspect.data as InspectHealth | undefined;
  const health = doc?.State?.Health;
  if (!health) return null;
  const test = doc?.Config?.Healthcheck?.Test ?? [];
  const command = test[0] === 'CMD-SHELL' ? test[1] : test.slice(1).join(' ');
  return (
    <section aria-label="Healthcheck" className="mb-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-2 flex flex-wrap items-center gap-3 text-sm">
        <h2 className="font-medium">Healthcheck</h2>
        <StatusBadge status={health.Status} />
        <span className="text-slate-500">{health.FailingStreak === 1 ? '1 failure in a row' : `${health.FailingStreak} failures in a row`}</span>
        {command && <code className="text-xs text-slate-500">{command}</code>}
      </div>
      {health.Log.length === 0 ? (
        <p className="text-sm text-slate-500">No probe has run yet.</p>
      ) : (
        <ol aria-label="Last probe results" className="space-y-1">
          {[...health.Log].reverse().map((r) => (
            <li key={r.Start} className="flex flex-wrap items-baseline gap-3 text-xs">
              <span className="whitespace-nowrap text-slate-500" title={`${r.Start} → ${r.End}`}>{new Date(r.Start).toLocaleTimeString()}</span>
              <span className={r.ExitCode === 0 ? 'text-emerald-700 dark:text-emerald-400' : 'text-rose-700 dark:text-rose-400'}>exit {r.ExitCode}</span>
              <span className="text-slate-500">{Math.max(0, Date.parse(r.End) - Date.parse(r.Start))} ms</span>
              {r.Output && <pre className="min-w-0 flex-1 whitespace-pre-wrap break-words font-mono">{r.Output.trimEnd()}</pre>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
