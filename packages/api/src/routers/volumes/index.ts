import { z } from 'zod';
import { VolumeSummary } from '@berth/protocol';
import { hostProcedure, router } from '../../trpc.ts';
import { auditedCall, fanOut, HostName, LIST_TIMEOUT_MS, resolveHost } from '../containers/agent.ts';

const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]+').max(128);
const VolumeRow = VolumeSummary.extend({ host: z.string(), hostId: z.string() });

/** `docker volume ls`: one host's, or every reachable host's with the unreachable ones named. */
const listVolumes = hostProcedure('viewer', 'listing volumes', { optional: true })
  .input(z.object({ host: HostName.optional() }))
  .output(z.object({ volumes: z.array(VolumeRow), unavailable: z.array(z.object({ host: z.string(), reason: z.string() })) }))
  .query(async ({ ctx, input }) => {
    if (input.host) {
      const host = await resolveHost(ctx, input.host);
      const rows = await ctx.fleet.request(host.id, 'volume.list', {}, { timeoutMs: LIST_TIMEOUT_MS });
      return { volumes: rows.map((v) => ({ ...v, host: host.name, hostId: host.id })), unavailable: [] };
    }
    const r = await fanOut(ctx, (h) => ctx.fleet.request(h.id, 'volume.list', {}, { timeoutMs: LIST_TIMEOUT_MS }));
    return { volumes: r.rows.sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name)), unavailable: r.unavailable };
  });

const inspectVolume = hostProcedure('viewer', 'inspecting a volume')
  .input(z.object({ host: HostName, name: VolumeName }))
  .output(VolumeSummary)
  .query(async ({ ctx, input }) => ctx.fleet.request((await resolveHost(ctx, input.host)).id, 'volume.inspect', { name: input.name }));

const createVolume = hostProcedure('operator', 'creating a volume').meta({ action: 'volume.create' })
  .input(z.object({ host: HostName, name: VolumeName.optional(), labels: z.record(z.string(), z.string()).default({}) }))
  .output(VolumeSummary)
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'volume.create', hostId: host.id, objectType: 'volume', objectId: input.name ?? null, params: { labels: input.labels } }, () =>
      ctx.fleet.request(host.id, 'volume.create', { ...(input.name ? { name: input.name } : {}), labels: input.labels }), (v) => v.name);
  });

/** `docker volume rm`: refused by the agent while any container mounts it, naming them. */
const removeVolume = hostProcedure('operator', 'removing a volume').meta({ action: 'volume.remove' })
  .input(z.object({ host: HostName, name: VolumeName }))
  .output(z.object({ ok: z.literal(true) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'volume.remove', hostId: host.id, objectType: 'volume', objectId: input.name }, () => ctx.fleet.request(host.id, 'volume.remove', { name: input.name }));
  });

const pruneVolumes = hostProcedure('operator', 'pruning volumes').meta({ action: 'volume.prune' })
  .input(z.object({ host: HostName, all: z.boolean().default(false) }))
  .output(z.object({ deleted: z.array(z.string()) }))
  .mutation(async ({ ctx, input }) => {
    const host = await resolveHost(ctx, input.host);
    return auditedCall(ctx, { action: 'volume.prune', hostId: host.id, objectType: 'volume', objectId: null, params: { all: input.all } }, () => ctx.fleet.request(host.id, 'volume.prune', { all: input.all }));
  });

export const volumesRouter = router({ list: listVolumes, inspect: inspectVolume, create: createVolume, remove: removeVolume, prune: pruneVolumes });
