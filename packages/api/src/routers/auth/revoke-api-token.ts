import { z } from 'zod';
import { revokeApiToken as revoke } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { ApiTokenView } from './api-token-view.ts';

/** Revokes one of the caller's API tokens by id, name or prefix (a site admin: anyone's). */
export const revokeApiToken = authedProcedure.meta({ action: 'api-token.revoke' })
  .input(z.object({ token: z.string().min(1).max(128) }))
  .output(ApiTokenView)
  .mutation(({ ctx, input }) => revoke(ctx.actor, input.token, ctx.db));
