import { z } from 'zod';
import { rawChoice } from '../../refusal-action.ts';
import { hostProcedure } from '../../trpc.ts';
import { auditedCall, ContainerRef, HostName, resolveHost } from './agent.ts';

const Action = z.enum(['start', 'stop', 'restart', 'kill', 'pause', 'unpause']);
export type ContainerAction = z.infer<typeof Action>;

/** Docker waits 10 s for a stop before it kills. */
const DEFAULT_STOP_SECONDS = 10;

/** `docker start|stop|restart|kill|pause|unpause`: one container's lifecycle, audited. */
export const containerAction = hostProcedure('operator', 'changing a container')
  // audited as container.<verb>; a refused call with no valid verb as container.action
  .meta({ action: (input) => `container.${rawChoice(input, 'action', Action.options) ?? 'action'}` })
  .input(z.object({
    host: HostName,
    id: ContainerRef,
    action: Action,
    /** seconds to wait for the container to stop before killing it (stop, restart) */
    timeout: z.number().int().nonnegative().max(3600).optional(),
    /** kill's signal, SIGKILL by default */
    signal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^\d+$/, 'a signal is a name like SIGTERM or a number').optional(),
  }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    const { id } = input;
    const stopMs = ((input.timeout ?? DEFAULT_STOP_SECONDS) + 30) * 1000;
    const call = () => {
      switch (input.action) {
        case 'start': return ctx.fleet.request(host.id, 'container.start', { id }, { timeoutMs: 60_000 });
        case 'stop': return ctx.fleet.request(host.id, 'container.stop', { id, ...(input.timeout !== undefined ? { timeout: input.timeout } : {}) }, { timeoutMs: stopMs });
        case 'restart': return ctx.fleet.request(host.id, 'container.restart', { id, ...(input.timeout !== undefined ? { timeout: input.timeout } : {}) }, { timeoutMs: stopMs + 60_000 });
        case 'kill': return ctx.fleet.request(host.id, 'container.kill', { id, signal: input.signal ?? 'SIGKILL' });
        case 'pause': return ctx.fleet.request(host.id, 'container.pause', { id });
        case 'unpause': return ctx.fleet.request(host.id, 'container.unpause', { id });
      }
    };
    const params = input.action === 'kill' ? { signal: input.signal ?? 'SIGKILL' } : input.timeout !== undefined ? { timeout: input.timeout } : {};
    await auditedCall(ctx, { action: `container.${input.action}`, hostId: host.id, objectType: 'container', objectId: id, params }, call);
    return { ok: true as const };
  });
