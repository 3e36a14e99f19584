import { z } from 'zod';
import type { FleetEvent } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

const MAX_QUEUED = 1000;

/**
 * Fleet events as they happen (Server-Sent Events through tRPC): host status changes,
 * live metrics, stored inventories, agents' own events. A client too slow to keep up is dropped rather than
 * letting its queue grow without bound; it reconnects and refetches.
 */
export const streamEvents = authedProcedure
  .input(z.object({ kinds: z.array(z.enum(['host.status', 'host.metrics', 'host.inventory', 'agent.event'])).optional() }).optional())
  .subscription(async function* ({ ctx, input, signal }) {
    const queue: FleetEvent[] = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    const unsubscribe = ctx.fleet.subscribe((e) => {
      if (input?.kinds && !input.kinds.includes(e.kind)) return;
      if (queue.length >= MAX_QUEUED) overflow = true;
      else queue.push(e);
      wake?.();
    });
    const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
    try {
      while (!signal?.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        if (overflow) throw new Error('event stream overflowed: this client did not keep up; reconnect');
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
      }
    } finally {
      unsubscribe();
    }
  });
