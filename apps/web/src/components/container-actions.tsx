'use client';
import { Button } from '@berth/ui';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ContainerAction, ContainerState } from '../lib/api-types.ts';
import { api, errorMessage } from '../lib/trpc.ts';
import { ActionError, ConfirmStep } from './confirm-action.tsx';

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
const LABEL: Record<ContainerAction, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', kill: 'Kill', pause: 'Pause', unpause: 'Unpause' };

/**
 * A container's buttons: the actions its state allows, then Remove behind a confirmation
 * (forced when the container still runs). The pending action and any error show in place.
 */
export function ContainerActions({ host, id, name, state, onRemoved }: { host: string; id: string; name: string; state: ContainerState; onRemoved?: () => void }) {
  const client = useQueryClient();
  const [pending, setPending] = useState<ContainerAction | 'remove' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const live = state === 'running' || state === 'paused' || state === 'restarting';

  const run = async (what: ContainerAction | 'remove') => {
    setPending(what);
    setError(null);
    try {
      if (what === 'remove') await api.containers.remove.mutate({ host, id, force: live, volumes: false });
      else await api.containers.action.mutate({ host, id, action: what });
      setConfirming(false);
      if (what === 'remove') onRemoved?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(null);
      // the event stream refreshes too; this covers a stream that is reconnecting
      void client.invalidateQueries({ queryKey: ['containers'] });
      void client.invalidateQueries({ queryKey: ['container', host, id] });
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
          onCancel={() => setConfirming(false)}
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
          <Button size="sm" variant="danger" disabled={pending !== null || state === 'removing'} aria-label={`Remove ${name}`} onClick={() => setConfirming(true)}>Remove</Button>
        </div>
      )}
      <ActionError error={error} />
    </div>
  );
}
