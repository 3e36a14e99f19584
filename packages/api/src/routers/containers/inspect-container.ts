import { z } from 'zod';
import { isSecretKey } from '@berth/core/audit/redact';
import { hostProcedure } from '../../trpc.ts';
import { ContainerRef, HostName, resolveHost } from './agent.ts';

/** Env entries (NAME=value) whose names look secret keep their name and lose their value. */
export function maskSecretEnv(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskSecretEnv(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => {
    if (/^env$/i.test(k) && Array.isArray(v)) {
      return [k, v.map((e) => {
        if (typeof e !== 'string') return e;
        const eq = e.indexOf('=');
        return eq > 0 && isSecretKey(e.slice(0, eq)) ? `${e.slice(0, eq)}=[redacted]` : e;
      })];
    }
    return [k, maskSecretEnv(v, depth + 1)];
  }));
}

/** `docker inspect` of a container, Docker's layout; secret-looking env values masked. */
export const inspectContainer = hostProcedure('viewer', 'inspecting a container')
  .input(z.object({ host: HostName, id: ContainerRef }))
  .output(z.record(z.string(), z.unknown()))
  .query(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return maskSecretEnv(await ctx.fleet.request(host.id, 'container.inspect', { id: input.id })) as Record<string, unknown>;
  });
