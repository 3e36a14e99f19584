import { z } from 'zod';
import { removeUser as remove } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { Username } from './schemas.ts';

/** Removes a user with their sessions, tokens and memberships; refused for oneself, the last site admin and a team's last owner. */
export const removeUser = roleProcedure('admin', 'removing a user').meta({ action: 'user.remove' })
  .input(z.object({ username: Username }))
  .output(z.object({ removed: z.string() }))
  .mutation(async ({ ctx, input }) => {
    await remove(ctx.actor, input.username, ctx.db);
    return { removed: input.username };
  });
