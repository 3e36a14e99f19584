import { z } from 'zod';
import { createTeam as create } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { TeamName, TeamView } from './schemas.ts';

export const createTeam = roleProcedure('admin', 'creating a team').meta({ action: 'team.create' }).input(z.object({ name: TeamName })).output(TeamView).mutation(({ ctx, input }) => create(ctx.actor, input, ctx.db));
