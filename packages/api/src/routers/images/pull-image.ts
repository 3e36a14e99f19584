import { z } from 'zod';
import { credentialsForImage } from '@berth/core';
import { LayerProgress, StreamChannel } from '@berth/protocol';
import { hostProcedure } from '../../trpc.ts';
import { HostName, ImageRef, openOrThrow, progressLines, recordAudit, relayStream, resolveHost } from '../containers/agent.ts';

export type PullEvent = { type: 'progress'; layer: LayerProgress } | { type: 'done'; id: string; digest: string; ref: string };

const PULL_TIMEOUT_MS = 60 * 60_000;

/**
 * `docker pull REF` over SSE: each layer's progress as the agent reports it, then the image.
 * Never goes through the command outbox (a pull may carry registry credentials, which must
 * not be stored); audited when it ends, with the reference only.
 */
export const pullImage = hostProcedure('operator', 'pulling an image')
  .input(z.object({ host: HostName, ref: ImageRef }))
  .subscription(async ({ ctx, input, signal }) => {
    const host = await resolveHost(ctx, input.host);
    const audit = { action: 'image.pull', hostId: host.id, objectType: 'image' as const, objectId: input.ref, params: { ref: input.ref } as Record<string, unknown> };
    let opened;
    try {
      // the registry's stored credentials, opened for this one operation: they go to the agent
      // on the stream's request and are never stored there, nor written to the outbox or audit log
      const auth = await credentialsForImage(input.ref, ctx.secrets, ctx.db);
      audit.params = { ...audit.params, authenticated: !!auth };
      opened = openOrThrow(() => ctx.fleet.openStream(host.id, 'image.pull', { ref: input.ref, ...(auth ? { auth } : {}) }, { timeoutMs: PULL_TIMEOUT_MS }));
    } catch (err) {
      await recordAudit(ctx, audit, 'error', (err as Error).message).catch(() => {});
      throw err;
    }
    const relay = relayStream(opened, signal);
    return (async function* (): AsyncGenerator<PullEvent> {
      let outcome: { ok: true; id: string; digest: string } | { ok: false; error: string } = { ok: false, error: 'the client went away before the pull ended' };
      const progress = progressLines(LayerProgress);
      try {
        for (;;) {
          const next = await relay.next();
          if (next.done) {
            if (next.value) {
              outcome = { ok: true, id: next.value.id, digest: next.value.digest };
              yield { type: 'done', ...next.value };
            }
            return;
          }
          if (next.value.channel !== StreamChannel.json) continue;
          for (const p of progress(next.value.data)) yield { type: 'progress', layer: p };
        }
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
        throw err;
      } finally {
        await relay.return(undefined as never).catch(() => {});
        await recordAudit(ctx, { ...audit, params: { ...audit.params, ...(outcome.ok ? { id: outcome.id, digest: outcome.digest } : {}) } }, outcome.ok ? 'ok' : 'error', outcome.ok ? undefined : outcome.error).catch(() => {});
      }
    })();
  });
