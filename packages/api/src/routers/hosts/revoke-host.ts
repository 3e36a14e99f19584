import { revokeHost as revoke } from '@berth/core';
import { hostProcedure } from '../../trpc.ts';
import { HostRef, HostView } from './schemas.ts';

/** Revokes a host's key and drops its connection at once; the old key never comes back. */
export const revokeHost = hostProcedure('admin', 'revoking a host').meta({ action: 'host.revoke' }).input(HostRef).output(HostView).mutation(async ({ ctx, input }) => {
  const host = await revoke(ctx.actor, input.host, ctx.db);
  ctx.fleet.disconnect(host.id, 'revoked');
  return { ...host, metrics: null };
});
