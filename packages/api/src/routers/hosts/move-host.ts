import { z } from 'zod';
import { moveHostToTeam } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { HostRef } from './schemas.ts';

/** `berth host move HOST TEAM`: gives a host to another team (site admins only). */
export const moveHost = roleProcedure('admin', 'moving a host to another team').meta({ action: 'host.move' })
  .input(HostRef.extend({ team: z.string().min(1).max(64) }))
  .output(z.object({ host: z.string(), team: z.string() }))
  .mutation(({ ctx, input }) => moveHostToTeam(ctx.actor, input, ctx.db));
