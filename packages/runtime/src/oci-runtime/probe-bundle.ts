import { copyFile, mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clampRlimits, generateSpec, withCgroupsPath, withNamespaces, withProcessArgs, withRlimits, withRootfs } from '../spec/spec-opts.ts';
import type { ProcessLimit } from '../sys/procfs.ts';

export interface ProbeBundleOptions {
  /** A static busybox: the whole userland of the probe. */
  busyboxPath: string;
  cgroupsPath: string;
  /** The host's limits (/proc/self/limits); the probe's stay within their hard values. */
  hostLimits: Record<string, ProcessLimit>;
  args?: string[];
}

/**
 * Writes a tiny OCI bundle into `dir` (which must exist): rootfs with /bin/busybox and a
 * config.json running `busybox true` read-only. Returns the bundle's real path, since
 * runc refuses a root.path reached through a symlink (/tmp may be one).
 */
export async function writeProbeBundle(dir: string, opts: ProbeBundleOptions): Promise<string> {
  const bundle = await realpath(dir);
  const rootfs = join(bundle, 'rootfs');
  // Mount points exist up front: a read-only root cannot grow them later.
  for (const d of ['bin', 'proc', 'dev', 'sys']) await mkdir(join(rootfs, d), { recursive: true });
  await copyFile(opts.busyboxPath, join(rootfs, 'bin', 'busybox'));
  const spec = generateSpec(
    withProcessArgs(...(opts.args ?? ['/bin/busybox', 'true'])),
    withRootfs(rootfs, true),
    withNamespaces('pid', 'mount', 'ipc', 'uts', 'network'),
    withCgroupsPath(opts.cgroupsPath),
    // Ask for a generous open-files limit and let the host's hard limit lower it.
    withRlimits(...clampRlimits([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1_048_576 }], opts.hostLimits)),
  );
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  return bundle;
}
