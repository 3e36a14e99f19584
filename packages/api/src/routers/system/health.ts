import { z } from 'zod';
import { publicProcedure } from '../../trpc.ts';

export const health = publicProcedure.output(z.object({ ok: z.boolean(), database: z.boolean() })).query(async ({ ctx }) => {
  const database = await ctx.db.$queryRaw`SELECT 1`.then(() => true, () => false);
  return { ok: database, database };
});
