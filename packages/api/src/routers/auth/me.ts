import { z } from 'zod';
import { bestRole, listTeams } from '@berth/core';
import { authedProcedure } from '../../trpc.ts';

const RoleName = z.enum(['owner', 'admin', 'operator', 'viewer']);

/**
 * Who the caller is: the site role (null: none), the teams with the role on each, the token's
 * scope, and `role`, the most the caller may do anywhere (what the dashboard shows buttons for;
 * the server checks each host's team on every call).
 */
export const me = authedProcedure
  .output(z.object({
    username: z.string(),
    siteRole: z.enum(['admin', 'operator', 'viewer']).nullable(),
    role: RoleName.nullable(),
    scope: z.enum(['admin', 'operator', 'viewer']).nullable(),
    teams: z.array(z.object({ id: z.string(), name: z.string(), role: RoleName.nullable() })),
  }))
  .query(async ({ ctx }) => ({
    username: ctx.actor.name,
    siteRole: ctx.actor.role,
    role: bestRole(ctx.actor),
    scope: ctx.actor.scope ?? null,
    teams: (await listTeams(ctx.actor, ctx.db)).filter((t) => ctx.actor.role || ctx.actor.teams?.[t.id]).map((t) => ({ id: t.id, name: t.name, role: t.myRole })),
  }));
