import { z } from 'zod';
import { removeTeam as remove } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { TeamRef } from './schemas.ts';

/** Removes a team with its memberships and invitations; refused while it owns hosts, naming them. */
export const removeTeam = roleProcedure('admin', 'removing a team').meta({ action: 'team.remove' })
  .input(z.object({ team: TeamRef }))
  .output(z.object({ removed: z.string() }))
  .mutation(async ({ ctx, input }) => {
    await remove(ctx.actor, input.team, ctx.db);
    return { removed: input.team };
  });
