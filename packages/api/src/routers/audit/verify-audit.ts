import { z } from 'zod';
import { verifyAudit as verify } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';

export const verifyAudit = roleProcedure('admin', 'verifying the audit log')
  .output(z.object({ ok: z.boolean(), checked: z.number(), problem: z.object({ id: z.string(), reason: z.string() }).optional() }))
  .query(({ ctx }) => verify(ctx.db));
