'use client';
import { Button } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ContainerAction, ContainerState } from '../lib/api-types.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ActionError, ConfirmStep } from './confirm-action.tsx';
import { refresh } from '../lib/refresh.ts';

/** What Docker allows in each state, in the order the buttons show. */
export function actionsFor(state: ContainerState): ContainerAction[] {
  switch (state) {
    case 'running': return ['stop', 'restart', 'pause'];
    case 'paused': return ['unpause', 'stop'];
    case 'restarting': return ['stop'];
    case 'created':
    case 'exited': return ['start'];
    case 'dead':
    case 'removing': return [];
  }
}

const PENDING: Record<ContainerAction | 'remove', string> = {
  start: 'Starting…', stop: 'Stopping…', restart: 'Restarting…', kill: 'Killing…', pause: 'Pausing…', unpause: 'Unpausing…', remove: 'Removing…',
};
interface ActionState {
  /** host/id of the container these are for */
  target: string;
  pending: ContainerAction | 'remove' | null;
  error: string | null;
  confirming: boolean;
}
const FRESH = { pending: null, error: null, confirming: false } as const;

const LABEL: Record<ContainerAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', kill: 'Kill', pause: 'Pause', unpause: 'Unpause' };

/**
 * A container's buttons: the actions its state allows, then Remove behind a confirmation
 * (forced when the container still runs). The pending action and any error show in place.
 */
export function ContainerActions({ host, id, name, state, onRemoved }: { host: string; id: string; name: string; state: ContainerState; onRemoved?: () => void }) {
  const client = useQueryClient();
  // What is pending, refused or asked is this container's: a table that reuses its rows for the
  // next page of containers gives this component another container, which starts afresh (its
  // buttons are updated in place rather than made again), and an answer for the one before is
  // dropped.
  const target = `${host}/${id}`;
  const [local, setLocal] = useState<ActionState>({ target, ...FRESH });
  const { pending, error, confirming } = local.target === target ? local : FRESH;
  const update = (change: Partial<Omit<ActionState, 'target'>>) => setLocal((l) => ({ ...(l.target === target ? l : FRESH), ...change, target }));
  const live = state === 'running' || state === 'paused' || state === 'restarting';

  const run = async (what: ContainerAction | 'remove') => {
    const mine = (change: Partial<Omit<ActionState, 'target'>>) => setLocal((l) => (l.target === target ? { ...l, ...change } : l));
    update({ pending: what, error: null });
    try {
      if (what === 'remove') await api.containers.remove.mutate({ host, id, force: live, volumes: false });
      else await api.containers.action.mutate({ host, id, action: what });
      mine({ confirming: false });
      if (what === 'remove') onRemoved?.();
    } catch (err) {
      mine({ error: errorMessage(err) });
    } finally {
      mine({ pending: null });
      // the event stream refreshes too; this covers a stream that is reconnecting
      void refresh(client, ['containers']);
      void refresh(client, ['container', host, id]);
    }
  };

  return (
    <div className="min-w-40">
      {confirming ? (
        <ConfirmStep
          label={`Remove ${name}`}
          question={live ? `${name} is ${state}: kill and remove it?` : `Remove ${name}?`}
          confirm={live ? 'Force remove' : 'Confirm remove'}
          pendingText={PENDING.remove}
          // no other action is offered while confirming, so what is pending is the remove
          pending={pending !== null}
          onConfirm={() => void run('remove')}
          onCancel={() => update({ confirming: false })}
        />
      ) : (
        <div className="flex flex-wrap items-center gap-1.5">
          {pending && pending !== 'remove' ? (
            <span role="status" className="text-xs text-slate-500">{PENDING[pending]}</span>
          ) : (
            actionsFor(state).map((a) => (
              <Button key={a} size="sm" disabled={pending !== null} aria-label={`${LABEL[a]} ${name}`} onClick={() => void run(a)}>{LABEL[a]}</Button>
            ))
          )}
          <Button size="sm" variant="danger" disabled={pending !== null || state === 'removing'} aria-label={`Remove ${name}`} onClick={() => update({ confirming: true })}>Remove</Button>
        </div>
      )}
      <ActionError error={error} />
    </div>
  );
}
