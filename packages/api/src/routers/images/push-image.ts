import { z } from 'zod';
import { credentialsForImage } from '@berth/core';
import { StreamChannel } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { HostName, ImageRef, openOrThrow, progressLines, recordAudit, relayStream, resolveHost } from '../containers/agent.ts';

/** One blob's progress during a push, as the agent reports it. */
export const BlobProgress = z.object({
  digest: z.string(),
  status: z.enum(['waiting', 'pushing', 'pushed', 'mounted', 'already exists']),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
});
export type BlobProgress = z.infer<typeof BlobProgress>;
export type PushEvent = { type: 'progress'; blob: BlobProgress } | { type: 'done'; ref: string; digest: string; id: string; size: number };

/**
 * `docker push REF` over SSE: each blob's progress, then the pushed manifest. Like pull, it
 * never goes through the command outbox, and is audited when it ends.
 */
export const pushImage = hostProcedure('operator', 'pushing an image')
  .input(z.object({ host: HostName, ref: ImageRef }))
  .subscription(async ({ ctx, input, signal }) => {
    const host = await resolveHost(ctx, input.host);
    const audit = { action: 'image.push', hostId: host.id, objectType: 'image', objectId: input.ref, params: { ref: input.ref } as Record<string, unknown> };
    let opened;
    try {
      // the registry's stored credentials, opened for this one operation: they go to the agent
      // on the stream's request and are never stored there, nor written to the outbox or audit log
      const auth = await credentialsForImage(input.ref, ctx.secrets, ctx.db);
      audit.params = { ...audit.params, authenticated: !!auth };
      opened = openOrThrow(() => ctx.fleet.openStream(host.id, 'image.push', { ref: input.ref, ...(auth ? { auth } : {}) }, { timeoutMs: 60 * 60_000 }));
    } catch (err) {
      await recordAudit(ctx, audit, 'error', (err as Error).message).catch(() => {});
      throw err;
    }
    const relay = relayStream(opened, signal);
    return (async function* (): AsyncGenerator<PushEvent> {
      let outcome: { ok: true; digest: string } | { ok: false; error: string } = { ok: false, error: 'the client went away before the push ended' };
      const progress = progressLines(BlobProgress);
      try {
        for (;;) {
          const next = await relay.next();
          if (next.done) {
            if (next.value) {
              outcome = { ok: true, digest: next.value.digest };
              yield { type: 'done', ...next.value };
            }
            return;
          }
          if (next.value.channel !== StreamChannel.json) continue;
          for (const p of progress(next.value.data)) yield { type: 'progress', blob: p };
        }
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
        throw err;
      } finally {
        await relay.return(undefined as never).catch(() => {});
        await recordAudit(ctx, { ...audit, params: { ...audit.params, ...(outcome.ok ? { digest: outcome.digest } : {}) } }, outcome.ok ? 'ok' : 'error', outcome.ok ? undefined : outcome.error).catch(() => {});
      }
    })();
  });
