import { z } from 'zod';
import { createSecret as create, MAX_SECRET_SIZE } from '@berth/core';
import { rawChoice } from '../../refusal-action.ts';
import { teamObjectProcedure } from '../../trpc.ts';
import { noContent, secretBox, SecretKind, SecretSummary } from './kind.ts';

/**
 * `docker secret create` / `docker config create`: the content arrives base64, is sealed
 * before it is stored, and no procedure ever returns it.
 */
export const createSecret = teamObjectProcedure('secret', 'operator', 'creating a secret or config')
  // audited as secret.create or config.create, by the input's kind
  .meta({ action: (input) => `${rawChoice(input, 'kind', SecretKind.options) ?? 'secret'}.create` })
  .input(
    z.object({
      kind: SecretKind,
      name: z.string().min(1).max(63),
      data: z.string().max(Math.ceil((MAX_SECRET_SIZE.config * 4) / 3) + 4),
      labels: z.record(z.string().max(128), z.string().max(1024)).default({}),
      /** the team it belongs to (name or id); optional when the caller has one */
      team: z.string().min(1).max(64).optional(),
    }),
  )
  .output(SecretSummary.omit({ services: true }))
  .mutation(async ({ ctx, input }) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.data)) throw noContent(input.kind);
    const row = await create(ctx.actor, { kind: input.kind, name: input.name, data: Buffer.from(input.data, 'base64'), labels: input.labels, ...(input.team ? { team: input.team } : {}) }, secretBox(ctx), ctx.db);
    return { ...row, labels: row.labels as Record<string, string> };
  });
