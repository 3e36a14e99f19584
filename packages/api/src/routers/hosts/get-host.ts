import { getHost as get } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';
import { HostRef, HostView } from './schemas.ts';

export const getHost = authedProcedure.input(HostRef).output(HostView).query(({ ctx, input }) => get(ctx.actor, input.host, ctx.db));
