import { z } from 'zod';
import { inspectSecret as inspect } from '@berth/core';
import { teamObjectProcedure } from '../../trpc.ts';
import { SecretKind, SecretSummary } from './kind.ts';

/** `docker secret inspect`: its metadata; the content is never shown again after creation. */
export const inspectSecret = teamObjectProcedure('secret', 'viewer', 'inspecting a secret or config')
  .input(z.object({ kind: SecretKind, name: z.string().min(1).max(128) }))
  .output(SecretSummary)
  .query(({ ctx, input }) => inspect(ctx.actor, input.kind, input.name, ctx.db));
