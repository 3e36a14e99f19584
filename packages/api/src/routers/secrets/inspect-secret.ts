import { z } from 'zod';
import { inspectSecret as inspect } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { SecretKind, SecretSummary } from './kind.ts';

/** `docker secret inspect`: its metadata; the content is never shown again after creation. */
export const inspectSecret = authedProcedure
  .input(z.object({ kind: SecretKind, name: z.string().min(1).max(128) }))
  .output(SecretSummary)
  .query(({ ctx, input }) => inspect(ctx.actor, input.kind, input.name, ctx.db));
