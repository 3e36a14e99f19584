import { z } from 'zod';
import { visibleTeamIds, type Actor, type FleetEvent } from '@berth/core';
import { authedProcedure, type Context } from '../../trpc.ts';

const MAX_QUEUED = 1000;
/** How long a host's team is trusted before it is read again (a host moved to another team stops reaching the old one's members within this). */
const TEAM_TTL_MS = 5_000;

/**
 * Whether an event may reach the actor: its host must be in one of the actor's teams. The
 * host's team and the actor's memberships are read from the database again after a few
 * seconds, so that a moved host or a removed member stops receiving within that; a host it
 * cannot find, such as one removed since, is not shown.
 */
export function eventFilter(actor: Actor, db: Context['db'], now: () => number = Date.now): (e: FleetEvent) => Promise<boolean> {
  const teams = visibleTeamIds(actor);
  if (teams === null) return async () => true;
  let allowed = { ids: new Set(teams), at: now() };
  const cache = new Map<string, { team: string | null; at: number }>();
  return async (e) => {
    if (actor.id && now() - allowed.at > TEAM_TTL_MS) {
      const rows = await db.membership.findMany({ where: { userId: actor.id }, select: { teamId: true } }).catch(() => null);
      allowed = { ids: new Set(rows ? rows.map((m) => m.teamId) : []), at: now() };
    }
    let c = cache.get(e.hostId);
    if (!c || now() - c.at > TEAM_TTL_MS) {
      const h = await db.host.findUnique({ where: { id: e.hostId }, select: { teamId: true } }).catch(() => null);
      c = { team: h?.teamId ?? null, at: now() };
      cache.set(e.hostId, c);
    }
    return c.team !== null && allowed.ids.has(c.team);
  };
}

/**
 * Fleet events as they happen (Server-Sent Events through tRPC): host status changes,
 * live metrics, stored inventories, agents' own events, of the hosts of the caller's teams only.
 * A client too slow to keep up is dropped rather than letting its queue grow without bound; it
 * reconnects and refetches.
 */
export const streamEvents = authedProcedure
  .input(z.object({ kinds: z.array(z.enum(['host.status', 'host.metrics', 'host.inventory', 'agent.event'])).optional() }).optional())
  .subscription(async function* ({ ctx, input, signal }) {
    const queue: FleetEvent[] = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    const visible = eventFilter(ctx.actor, ctx.db);
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
          // checked in order as they are sent, so that filtering never reorders a host's events
          if (await visible(e)) yield e;
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
