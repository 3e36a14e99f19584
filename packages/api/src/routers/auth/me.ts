import { z } from 'zod';
import { authedProcedure } from '../../trpc.ts';

export const me = authedProcedure.output(z.object({ username: z.string(), role: z.string() })).query(({ ctx }) => ({ username: ctx.actor.name, role: ctx.actor.role }));
