import { z } from 'zod';
import { removeSecret as remove } from '@berth/core';
import { rawChoice } from '../../refusal-action.ts';
import { teamObjectProcedure } from '../../trpc.ts';
import { SecretKind } from './kind.ts';

/** `docker secret rm`: refused while a service mounts it. */
export const removeSecret = teamObjectProcedure('secret', 'operator', 'removing a secret or config')
  // audited as secret.remove or config.remove, by the input's kind
  .meta({ action: (input) => `${rawChoice(input, 'kind', SecretKind.options) ?? 'secret'}.remove` })
  .input(z.object({ kind: SecretKind, name: z.string().min(1).max(128) }))
  .output(z.object({ name: z.string() }))
  .mutation(({ ctx, input }) => remove(ctx.actor, input.kind, input.name, ctx.db));
