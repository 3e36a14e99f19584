import { z } from 'zod';
import { listSecrets as list } from '@berth/core';
import { teamObjectProcedure } from '../../trpc.ts';
import { SecretKind, SecretSummary } from './kind.ts';

/** `docker secret ls`: names, sizes, dates and the services using each; never content. */
export const listSecrets = teamObjectProcedure('secret', 'viewer', 'listing secrets or configs')
  .input(z.object({ kind: SecretKind }))
  .output(z.array(SecretSummary))
  .query(({ ctx, input }) => list(ctx.actor, input.kind, ctx.db));
