'use client';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { refresh } from './refresh.ts';
import { api } from './trpc.ts';

/**
 * Keeps the page's queries fresh from the fleet's event stream instead of polling fast:
 * host status at once; heartbeats, container and image events gathered for a moment so that
 * a burst (a container dying and restarting, fifty heartbeats) costs one refetch.
 */
export function useFleetEvents({ metrics = true }: { metrics?: boolean } = {}) {
  const client = useQueryClient();
  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const soon = (name: string, keys: QueryKey[], ms: number) => {
      if (timers.has(name)) return;
      timers.set(name, setTimeout(() => {
        timers.delete(name);
        for (const queryKey of keys) void refresh(client, queryKey);
      }, ms));
    };
    // pages without live figures skip the heartbeats, the bulk of the stream
    const kinds = metrics ? (['host.status', 'host.metrics', 'host.inventory', 'agent.event'] as const) : (['host.status', 'host.inventory', 'agent.event'] as const);
    const sub = api.events.stream.subscribe({ kinds: [...kinds] }, {
      // what changed between the page's first queries (or a lost connection) and the stream's
      // start was never announced: ask again once the stream is there. A container's page is
      // often opened just as it starts (run, then its page), when its state and health change.
      onStarted: () => {
        for (const queryKey of [['hosts'], ['host'], ['containers', 'search'], ['container']]) void refresh(client, queryKey);
      },
      onData: (e) => {
        if (e.kind === 'host.status') {
          for (const queryKey of [['hosts'], ['host']]) void refresh(client, queryKey);
        } else if (e.kind === 'host.metrics') {
          soon('metrics', [['hosts'], ['host']], 1000);
        } else if (e.kind === 'host.inventory') {
          // the fleet's containers table reads the stored inventories, which follow a change by ~300 ms
          soon('inventory', [['containers', 'search']], 250);
        } else if (e.type === 'container') {
          // a container's state changed (or its networks): the tables, its own page, the host's counts
          soon('containers', [['containers'], ['container'], ['facts'], ['volumes'], ['networks'], ['df']], 250);
        } else if (e.type === 'image') {
          soon('images', [['images'], ['facts'], ['df']], 250);
        } else if (e.type === 'volume') {
          soon('volumes', [['volumes'], ['df']], 250);
        } else if (e.type === 'network') {
          soon('networks', [['networks']], 250);
        }
      },
    });
    return () => {
      sub.unsubscribe();
      for (const t of timers.values()) clearTimeout(t);
    };
  }, [client, metrics]);
}
