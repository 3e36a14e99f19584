// podman as the benchmarks' peer: its own storage under the benchmark's temp dir, runc and
// cgroupfs as on this host (see /work/shared/peers/setup.sh), the busybox test layer imported
// as localhost/busybox:bench. Everything it makes is removed by cleanup(), its libpod_parent
// cgroup too when the benchmark made it.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupDirs, lookPath, removeCgroup } from '@berth/runtime';
import type { CgroupLayout } from '@berth/runtime';
import { log, runCommand } from './common.ts';

export const PODMAN_IMAGE = 'localhost/busybox:bench';

export interface Podman {
  version: string;
  /** podman with the benchmark's storage: `podman(['run', ...])` → stdout. */
  run(args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/** null (and a line saying why) when podman is not installed. */
export async function openPodman(work: string, layerTar: string, layout: CgroupLayout): Promise<Podman | null> {
  if (!(await lookPath('podman'))) {
    log('podman is not installed: its figures stay empty (apt-get install podman netavark aardvark-dns)');
    return null;
  }
  const conf = join(work, 'containers.conf');
  await writeFile(
    conf,
    '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n[containers]\nlog_driver = "k8s-file"\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n',
  );
  process.env.CONTAINERS_CONF = conf;
  const base = ['--root', join(work, 'podman-root'), '--runroot', join(work, 'podman-run'), '--cgroup-manager', 'cgroupfs'];
  // podman's conmons go to /libpod_parent/conmon whatever the containers' parent is
  const libpodParentWasThere = cgroupDirs(layout, '/libpod_parent').some((d) => existsSync(d));
  const run = async (args: string[]) => (await runCommand('podman', [...base, ...args])).stdout;
  await run(['import', '--change', 'CMD ["sh"]', layerTar, PODMAN_IMAGE]);
  return {
    version: (await runCommand('podman', ['--version'])).stdout.trim(),
    run,
    async cleanup() {
      await run(['rm', '-af', '-t', '0']).catch(() => undefined);
      await run(['system', 'reset', '-f']).catch(() => undefined);
      if (!libpodParentWasThere) await removeCgroup(cgroupDirs(layout, '/libpod_parent')).catch(() => undefined);
    },
  };
}
