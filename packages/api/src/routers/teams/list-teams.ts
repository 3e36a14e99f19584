import { z } from 'zod';
import { listTeams as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { TeamView } from './schemas.ts';

/** The teams the caller sees: every team for a site role, else the caller's own. */
export const listTeams = authedProcedure.output(z.array(TeamView)).query(({ ctx }) => list(ctx.actor, ctx.db));
