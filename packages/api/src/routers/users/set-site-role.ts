import { z } from 'zod';
import { setSiteRole as set } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { SiteRole, Username } from './schemas.ts';

/** Gives or takes a user's site-wide role (null: only team memberships count); the last site admin stays one. */
export const setSiteRole = roleProcedure('admin', "changing a user's site role").meta({ action: 'user.set-role' })
  .input(z.object({ username: Username, role: SiteRole.nullable() }))
  .output(z.object({ id: z.string(), username: z.string(), role: SiteRole.nullable() }))
  .mutation(({ ctx, input }) => set(ctx.actor, input.username, input.role, ctx.db));
