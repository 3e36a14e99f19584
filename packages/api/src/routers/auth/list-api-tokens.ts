import { z } from 'zod';
import { listApiTokens as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { ApiTokenView } from './api-token-view.ts';

/** The caller's API tokens (with `all`, a site admin sees everybody's): prefix, scope, last use, expiry; never the secret. */
export const listApiTokens = authedProcedure
  .input(z.object({ all: z.boolean().default(false) }).default({ all: false }))
  .output(z.array(ApiTokenView))
  .query(({ ctx, input }) => list(ctx.actor, { all: input.all }, ctx.db));
