import { z } from 'zod';
import { AppError, type SecretBox } from '@berth/core';
import type { Context } from '../../trpc.ts';

/** secrets.* serve `docker secret` and `docker config` alike: the kind says which. */
export const SecretKind = z.enum(['secret', 'config']);

export const SecretSummary = z.object({
  id: z.string(),
  kind: SecretKind,
  name: z.string(),
  size: z.number().int(),
  labels: z.record(z.string(), z.string()),
  stack: z.string().nullable(),
  /** the team that owns it */
  team: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.date(),
  /** services whose current version mounts it */
  services: z.array(z.string()),
});

export function secretBox(ctx: Context): SecretBox | null {
  return ctx.secrets;
}

export const noContent = (kind: string) => new AppError('INVALID', `the ${kind}'s content is not valid base64`);
