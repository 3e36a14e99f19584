import { z } from 'zod';
import { StreamChannel } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { channelDecoder, ContainerRef, HostName, openOrThrow, recordAudit, relayStream, resolveHost } from './agent.ts';

export type ExecEvent = { type: 'output'; stream: 'stdout' | 'stderr'; text: string } | { type: 'exit'; exitCode: number };

/**
 * `docker exec CONTAINER CMD…` without a terminal: output as it comes, then the exit code.
 * Audited when it ends, with the command and the names (not values) of the extra env.
 */
export const execContainer = hostProcedure('operator', 'running a command in a container')
  .input(z.object({
    host: HostName,
    id: ContainerRef,
    cmd: z.array(z.string()).min(1),
    env: z.array(z.string().regex(/^[^=]+=/, 'env is NAME=value')).default([]),
    user: z.string().optional(),
    workingDir: z.string().optional(),
  }))
  .subscription(async ({ ctx, input, signal }) => {
    const host = await resolveHost(ctx, input.host);
    const { host: _h, ...params } = input;
    const audit = { action: 'container.exec', hostId: host.id, objectType: 'container' as const, objectId: input.id, params: { cmd: input.cmd, env: input.env.map((e) => e.slice(0, e.indexOf('='))), user: input.user ?? null, workingDir: input.workingDir ?? null } };
    let opened;
    try {
      opened = openOrThrow(() => ctx.fleet.openStream(host.id, 'container.exec', { ...params, interactive: false }, { timeoutMs: 0 }));
    } catch (err) {
      await recordAudit(ctx, audit, 'error', (err as Error).message).catch(() => {});
      throw err;
    }
    const relay = relayStream(opened, signal);
    return (async function* (): AsyncGenerator<ExecEvent> {
      const decode = channelDecoder();
      let outcome: { ok: true; exitCode: number } | { ok: false; error: string } = { ok: false, error: 'the client went away before the command ended' };
      try {
        for (;;) {
          const next = await relay.next();
          if (next.done) {
            if (next.value) {
              outcome = { ok: true, exitCode: next.value.exitCode };
              yield { type: 'exit', exitCode: next.value.exitCode };
            }
            return;
          }
          const { channel, data } = next.value;
          if (channel !== StreamChannel.stdout && channel !== StreamChannel.stderr) continue;
          const text = decode(channel, data);
          if (text) yield { type: 'output', stream: channel === StreamChannel.stdout ? 'stdout' : 'stderr', text };
        }
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
        throw err;
      } finally {
        await relay.return(undefined as never).catch(() => {});
        await recordAudit(ctx, { ...audit, params: { ...audit.params, ...(outcome.ok ? { exitCode: outcome.exitCode } : {}) } }, outcome.ok ? 'ok' : 'error', outcome.ok ? undefined : outcome.error).catch(() => {});
      }
    })();
  });
