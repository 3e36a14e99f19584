import type { VolumeSummary } from '@berth/protocol';
import type { Volume } from '@berth/runtime/volumes/store';
import { volumeUsers, type HostEngine } from '../engine/host-engine.ts';
import { engineCall } from '../engine/errors.ts';
import type { Handler } from './types.ts';

const view = (engine: HostEngine, v: Volume): VolumeSummary => ({ ...v, usedBy: volumeUsers(engine.containers, v.name) });
const users = (engine: HostEngine) => (name: string) => volumeUsers(engine.containers, name);

/** `docker volume ls`. */
export const listVolumes: Handler<'volume.list'> = (_p, ctx) => engineCall(async () => (await ctx.engine.volumes.list()).map((v) => view(ctx.engine, v)));

export const createVolume: Handler<'volume.create'> = (p, ctx) =>
  engineCall(async () => {
    const v = await ctx.engine.volumes.create({ ...(p.name ? { name: p.name } : {}), labels: p.labels });
    ctx.emit('volume', { action: 'create', name: v.name });
    return view(ctx.engine, v);
  });

export const inspectVolume: Handler<'volume.inspect'> = (p, ctx) => engineCall(async () => view(ctx.engine, await ctx.engine.volumes.inspect(p.name)));

/** `docker volume rm`: refused while any container, running or not, mounts it. */
export const removeVolume: Handler<'volume.remove'> = (p, ctx) =>
  engineCall(async () => {
    await ctx.engine.volumes.remove(p.name, users(ctx.engine));
    ctx.emit('volume', { action: 'destroy', name: p.name });
    return { ok: true as const };
  });

export const pruneVolumes: Handler<'volume.prune'> = (p, ctx) =>
  engineCall(async () => {
    const deleted = await ctx.engine.volumes.prune(users(ctx.engine), { all: p.all });
    for (const name of deleted) ctx.emit('volume', { action: 'destroy', name });
    return { deleted };
  });
