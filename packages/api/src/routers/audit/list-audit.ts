import { z } from 'zod';
import type { Prisma } from '@berth/db';
import { siteRole, visibleTeamIds, type Actor } from '@berth/core';
import { authedProcedure, type Context } from '../../trpc.ts';

const Entry = z.object({
  id: z.string(), at: z.date(), actorName: z.string(), source: z.string(), remoteAddr: z.string().nullable(), action: z.string(),
  hostName: z.string().nullable(), objectType: z.string().nullable(), objectId: z.string().nullable(), params: z.unknown(), outcome: z.string(), error: z.string().nullable(),
});

/**
 * Which entries the actor may read: a site admin all; anyone else the entries about hosts they
 * see (for a site role any host's, also removed ones'; for team members their teams' current
 * hosts) and their own.
 */
async function visibleEntries(actor: Actor, db: Context['db']): Promise<Prisma.AuditEntryWhereInput> {
  if (siteRole(actor) === 'admin') return {};
  const teams = visibleTeamIds(actor);
  const hosts: Prisma.AuditEntryWhereInput = teams === null
    ? { hostId: { not: null } }
    : { hostId: { in: (await db.host.findMany({ where: { teamId: { in: teams } }, select: { id: true } })).map((h) => h.id) } };
  return { OR: [hosts, ...(actor.id ? [{ actorId: actor.id }] : [])] };
}

export const listAudit = authedProcedure
  .input(z.object({ limit: z.number().int().min(1).max(500).default(100), before: z.string().regex(/^\d+$/).optional() }))
  .output(z.array(Entry))
  .query(async ({ ctx, input }) => {
    const rows = await ctx.db.auditEntry.findMany({
      where: { AND: [input.before ? { id: { lt: BigInt(input.before) } } : {}, await visibleEntries(ctx.actor, ctx.db)] },
      orderBy: { id: 'desc' },
      take: input.limit,
    });
    const hostIds = [...new Set(rows.map((r) => r.hostId).filter((id): id is string => !!id))];
    const names = new Map((await ctx.db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } })).map((h) => [h.id, h.name]));
    // a removed host's entries still name it through objectId; the id alone is shown otherwise
    return rows.map(({ hash: _h, prevHash: _p, actorId: _a, hostId, id, ...r }) => ({ ...r, id: id.toString(), hostName: hostId ? (names.get(hostId) ?? null) : null }));
  });
