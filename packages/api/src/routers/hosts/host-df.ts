import { z } from 'zod';
import { hostProcedure } from '../../trpc.ts';
import { HostName, LIST_TIMEOUT_MS, resolveHost } from '../containers/agent.ts';

const Row = z.object({ total: z.number(), active: z.number(), size: z.number(), reclaimable: z.number() });

/** `docker system df` of one host. */
export const hostDf = hostProcedure('viewer', "reading a host's disk usage")
  .input(z.object({ host: HostName }))
  .output(z.object({ images: Row, containers: Row, volumes: Row }))
  .query(async ({ ctx, input }) => ctx.fleet.request((await resolveHost(ctx, input.host)).id, 'system.df', {}, { timeoutMs: LIST_TIMEOUT_MS }));
