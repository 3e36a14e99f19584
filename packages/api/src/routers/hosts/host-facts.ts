import { HostFacts } from '@berth/protocol';
import { getHost, recordInventory } from '@berth/core';
import { hostProcedure } from '../../trpc.ts';
import { HostRef } from './schemas.ts';

/** Live facts, asked of the agent now (`docker info`), refreshing the cached copy. */
export const hostFacts = hostProcedure('viewer', "reading a host's facts").input(HostRef).output(HostFacts).query(async ({ ctx, input }) => {
  const host = await getHost(ctx.actor, input.host, ctx.db);
  const facts = await ctx.fleet.request(host.id, 'host.facts', {});
  await recordInventory(host.id, facts, ctx.db);
  return facts;
});
