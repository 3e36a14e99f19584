import { z } from 'zod';
import { createUser as create, teamByRef } from '@berth/core';
import { roleProcedure } from '../../trpc.ts';
import { SiteRole, TeamRole, Username } from './schemas.ts';

/** `berth user create NAME [--role R] [--team T --team-role R]`: site admins only. */
export const createUser = roleProcedure('admin', 'creating a user').meta({ action: 'user.create' })
  .input(z.object({
    username: Username,
    password: z.string().min(1).max(256),
    /** the site-wide role; null (the default): only what team memberships give */
    role: SiteRole.nullable().default(null),
    team: z.string().min(1).max(64).optional(),
    teamRole: TeamRole.default('viewer'),
  }))
  .output(z.object({ id: z.string(), username: z.string(), role: SiteRole.nullable() }))
  .mutation(async ({ ctx, input }) => {
    const team = input.team ? await teamByRef(input.team, ctx.db) : null;
    return create(ctx.actor, { username: input.username, password: input.password, role: input.role, ...(team ? { team: { id: team.id, role: input.teamRole } } : {}) }, ctx.db);
  });
