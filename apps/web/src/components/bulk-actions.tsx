'use client';
import { Button, Notice } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { planBulk, runBounded, targetName, type BulkAction, type BulkPlan, type Outcome, type Target } from '../lib/bulk.ts';
import { api } from '../lib/trpc.ts';
import { ConfirmStep } from './confirm-action.tsx';
import { refresh } from '../lib/refresh.ts';

/** How many actions run at once: enough to finish a page quickly, few enough not to flood the agents. */
const CONCURRENCY = 8;
const ACTIONS: BulkAction[] = ['start', 'stop', 'restart', 'remove'];
const LABEL: Record<BulkAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', remove: 'Remove' };
const PENDING: Record<BulkAction, string> = { start: 'Starting', stop: 'Stopping', restart: 'Restarting', remove: 'Removing' };
const DONE: Record<BulkAction, string> = { start: 'Started', stop: 'Stopped', restart: 'Restarted', remove: 'Removed' };

const key = (t: Target) => `${t.host}/${t.id}`;

function act(action: BulkAction, t: Target, force: boolean): Promise<unknown> {
  return action === 'remove' ? api.containers.remove.mutate({ host: t.host, id: t.id, force, volumes: false }) : api.containers.action.mutate({ host: t.host, id: t.id, action });
}

/**
 * The selected containers' actions: one confirmation naming all of them (and which running ones
 * a remove kills), then every action at once, CONCURRENCY at a time, each failure reported by
 * name without stopping the others. `onFinished` gets the keys (host/id) that succeeded.
 */
export function BulkActions({ selected, onClear, onFinished }: { selected: Target[]; onClear: () => void; onFinished: (succeeded: string[]) => void }) {
  const client = useQueryClient();
  const [plan, setPlan] = useState<BulkPlan | null>(null);
  const [progress, setProgress] = useState<{ done: number; of: number } | null>(null);
  const [result, setResult] = useState<{ plan: BulkPlan; outcomes: Outcome<Target>[] } | null>(null);

  const run = async (p: BulkPlan) => {
    setProgress({ done: 0, of: p.targets.length });
    setResult(null);
    const forced = new Set(p.forced.map(key));
    const outcomes = await runBounded(p.targets, CONCURRENCY, (t) => act(p.action, t, forced.has(key(t))), (done) => setProgress({ done, of: p.targets.length }));
    setProgress(null);
    setPlan(null);
    setResult({ plan: p, outcomes });
    onFinished(outcomes.filter((o) => o.ok).map((o) => key(o.item)));
    // the event stream refreshes the page too; this covers a stream that is reconnecting
    void refresh(client, ['containers']);
  };

  const failures = result?.outcomes.filter((o): o is Extract<Outcome<Target>, { ok: false }> => !o.ok) ?? [];
  const succeeded = (result?.outcomes.length ?? 0) - failures.length;
  return (
    <div className="mb-3 space-y-2">
      {selected.length > 0 && (
        <div role="toolbar" aria-label="Selected containers" className="flex flex-wrap items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm dark:border-sky-900 dark:bg-sky-950/40">
          <span className="font-medium">{selected.length} selected</span>
          {progress ? (
            <span role="status">{PENDING[plan!.action]} {progress.done} of {progress.of}…</span>
          ) : plan ? (
            <ConfirmStep
              label={`Confirm ${plan.action}`}
              question={plan.question}
              confirm={plan.targets.length === 0 ? 'OK' : plan.forced.length ? `Force ${plan.action}` : `Confirm ${plan.action}`}
              pendingText={`${PENDING[plan.action]}…`}
              pending={false}
              onConfirm={() => (plan.targets.length ? void run(plan) : setPlan(null))}
              onCancel={() => setPlan(null)}
            />
          ) : (
            <>
              {ACTIONS.map((a) => (
                <Button key={a} size="sm" variant={a === 'remove' ? 'danger' : 'secondary'} onClick={() => setPlan(planBulk(a, selected))}>{LABEL[a]} selected</Button>
              ))}
              <Button size="sm" onClick={onClear}>Clear selection</Button>
            </>
          )}
        </div>
      )}
      {result && (
        <>
          {succeeded > 0 && <Notice tone="info">{DONE[result.plan.action]} {succeeded} container{succeeded === 1 ? '' : 's'}.</Notice>}
          {failures.length > 0 && (
            <Notice tone="error">
              {failures.length} of {result.outcomes.length} could not be {DONE[result.plan.action].toLowerCase()}:
              <ul className="mt-1 list-disc pl-5">
                {failures.map((f) => <li key={key(f.item)}><strong>{targetName(f.item, result.plan.targets)}</strong>{f.item.name === targetName(f.item, result.plan.targets) ? ` on ${f.item.host}` : ''}: {f.error}</li>)}
              </ul>
            </Notice>
          )}
        </>
      )}
    </div>
  );
}
