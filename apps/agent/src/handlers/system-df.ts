import { containerPaths } from '@berth/runtime';
import { localDiskUsage } from '@berth/runtime/images/disk-usage';
import { imageUsers, volumeUsers } from '../engine/host-engine.ts';
import { engineCall } from '../engine/errors.ts';
import type { Handler } from './types.ts';

/** `docker system df`: images by unpacked layers, containers by writable layer, volumes by data. */
export const systemDf: Handler<'system.df'> = (_p, ctx) =>
  engineCall(async () => {
    const { containers, images, volumes } = ctx.engine;
    const imageUsage = await images.diskUsage({ isImageInUse: (id) => imageUsers(containers, id).length > 0 });
    const all = containers.list();
    const vols = await volumes.list();
    const local = await localDiskUsage({
      containers: Object.fromEntries(all.map((c) => [c.id, containerPaths(ctx.engine.stateDir, c.id).upper])),
      volumes: Object.fromEntries(vols.map((v) => [v.name, v.mountpoint])),
    });
    const running = all.filter((c) => c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting');
    const sizeOf = (ids: string[], table: Record<string, { size: number }>) => ids.reduce((n, id) => n + (table[id]?.size ?? 0), 0);
    const unusedVolumes = vols.filter((v) => volumeUsers(containers, v.name).length === 0).map((v) => v.name);
    return {
      images: { total: imageUsage.count, active: imageUsage.active, size: imageUsage.totalSize, reclaimable: imageUsage.reclaimable },
      containers: { total: all.length, active: running.length, size: local.containersSize, reclaimable: sizeOf(all.filter((c) => !running.includes(c)).map((c) => c.id), local.containers) },
      volumes: { total: vols.length, active: vols.length - unusedVolumes.length, size: local.volumesSize, reclaimable: sizeOf(unusedVolumes, local.volumes) },
    };
  });
