import { z } from 'zod';
import { listHosts as list } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { HostView } from './schemas.ts';

export const listHosts = authedProcedure.output(z.array(HostView)).query(({ ctx }) => list(ctx.actor, ctx.db));
