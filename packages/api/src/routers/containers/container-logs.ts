import { z } from 'zod';
import { StreamChannel } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { channelDecoder, ContainerRef, HostName, openOrThrow, relayStream, resolveHost } from './agent.ts';

/**
 * `docker logs [-f] [--tail N] [--since T] [-t]` over SSE: one event per chunk the agent sends,
 * decoded as UTF-8. Ends when the agent's operation ends (at once, or with `follow` when the
 * container stops); a subscriber that goes away cancels the operation on the agent.
 */
export const containerLogs = hostProcedure('viewer', "reading a container's logs")
  .input(z.object({
    host: HostName,
    id: ContainerRef,
    follow: z.boolean().default(false),
    tail: z.number().int().nonnegative().optional(),
    /** unix seconds */
    since: z.number().nonnegative().optional(),
    timestamps: z.boolean().default(false),
  }))
  .subscription(async ({ ctx, input, signal }) => {
    const host = await resolveHost(ctx, input.host);
    const { host: _h, ...params } = input;
    const opened = openOrThrow(() => ctx.fleet.openStream(host.id, 'container.logs', params, { timeoutMs: input.follow ? 0 : 600_000 }));
    return (async function* () {
      const decode = channelDecoder();
      const relay = relayStream(opened, signal);
      try {
        for (;;) {
          const next = await relay.next();
          if (next.done) return;
          const { channel, data } = next.value;
          if (channel !== StreamChannel.stdout && channel !== StreamChannel.stderr) continue;
          const text = decode(channel, data);
          if (text) yield { stream: channel === StreamChannel.stdout ? ('stdout' as const) : ('stderr' as const), text };
        }
      } finally {
        // the subscriber stopped early: the relay resets the stream, stopping the agent's side
        await relay.return(undefined as never).catch(() => {});
      }
    })();
  });
