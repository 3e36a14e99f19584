import { z } from 'zod';
import { renameTeam as rename } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { TeamName, TeamRef } from './schemas.ts';

export const renameTeam = roleProcedure('admin', 'renaming a team').meta({ action: 'team.rename' })
  .input(z.object({ team: TeamRef, name: TeamName }))
  .output(z.object({ id: z.string(), name: z.string() }))
  .mutation(({ ctx, input }) => rename(ctx.actor, input.team, input.name, ctx.db));
