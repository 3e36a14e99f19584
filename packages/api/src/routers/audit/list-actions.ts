import { z } from 'zod';
import { auditActions } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

/** The actions the audit log holds, for the action filter's suggestions. */
export const listAuditActions = authedProcedure
  .output(z.array(z.string()))
  .query(({ ctx }) => auditActions(ctx.db));
