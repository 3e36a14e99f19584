import { z } from 'zod';
import { listAuditEntries } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { auditFilter, AuditFilterInput } from './filter.ts';

const Entry = z.object({
  id: z.string(), at: z.date(), actorName: z.string(), source: z.string(), remoteAddr: z.string().nullable(), action: z.string(),
  hostName: z.string().nullable(), objectType: z.string().nullable(), objectId: z.string().nullable(), params: z.unknown(), outcome: z.string(), error: z.string().nullable(),
});

/** The audit log, newest first, filtered (user, host, action prefix, outcome, time range), as far as the caller may read it; `before` pages to older entries. */
export const listAudit = authedProcedure
  .input(AuditFilterInput.extend({ limit: z.number().int().min(1).max(500).default(100), before: z.string().regex(/^\d+$/).optional() }))
  .output(z.array(Entry))
  .query(({ ctx, input }) => listAuditEntries({ ...auditFilter(input), viewer: ctx.actor }, { limit: input.limit, ...(input.before ? { before: BigInt(input.before) } : {}) }, ctx.db));
