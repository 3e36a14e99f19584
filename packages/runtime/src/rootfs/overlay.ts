// A container's root filesystem: an overlay of read-only image layers plus its own upper
// and work directories. Deciding the mount (overlayMount) is apart from doing it.
import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../sys/exec.ts';
import { parseMountinfo } from '../sys/mountinfo.ts';

export interface OverlayLayout {
  /** Read-only layers, top (newest) first. */
  lowerDirs: readonly string[];
  upperDir: string;
  workDir: string;
  /** Where the merged tree appears. */
  target: string;
  /** Holds short symlinks to the lower dirs when the option string would be too long. */
  linkDir: string;
}

/** What to run: mount(8) argv, the cwd to run it in, and the short links to make first. */
export interface OverlayMount {
  argv: string[];
  cwd?: string;
  links: { path: string; target: string }[];
}

/**
 * mount(2) copies its data argument into one page: the option string must stay below the
 * page size (4096 here) including the NUL, or the kernel truncates it.
 */
export const MAX_MOUNT_OPTIONS = 4095;

export function overlayMount(layout: OverlayLayout, maxOptions = MAX_MOUNT_OPTIONS): OverlayMount {
  if (layout.lowerDirs.length === 0) throw new Error(`overlay at ${layout.target}: no lower directories (an image has at least one layer)`);
  const options = (lower: string) => `lowerdir=${lower},upperdir=${layout.upperDir},workdir=${layout.workDir}`;
  for (const d of [...layout.lowerDirs, layout.upperDir, layout.workDir]) {
    // overlayfs splits lowerdir on ":" and options on ","; such paths cannot be passed.
    if (/[:,]/.test(d)) throw new Error(`overlay at ${layout.target}: path "${d}" contains ":" or ","; move the layer to a plain path`);
  }
  const absolute = options(layout.lowerDirs.join(':'));
  if (absolute.length <= maxOptions) return { argv: ['mount', '-t', 'overlay', 'overlay', '-o', absolute, layout.target], links: [] };
  // Too long: mount from linkDir with relative one-or-two-character names (as containers/storage does with l/).
  const links = layout.lowerDirs.map((target, i) => ({ path: join(layout.linkDir, i.toString(36)), target }));
  const short = options(links.map((_, i) => i.toString(36)).join(':'));
  if (short.length > maxOptions) {
    throw new Error(`overlay at ${layout.target}: ${layout.lowerDirs.length} layers do not fit in one mount even with short names; flatten the image`);
  }
  return { argv: ['mount', '-t', 'overlay', 'overlay', '-o', short, layout.target], cwd: layout.linkDir, links };
}

/** Is anything mounted at `path` (as seen in /proc/self/mountinfo text)? */
export function isMountPoint(mountinfo: string, path: string): boolean {
  return parseMountinfo(mountinfo).some((m) => m.mountPoint === path);
}

export interface OverlayOps {
  exec: Exec;
  /** /proc/self/mountinfo text; a test double gives fixture text. */
  readMountinfo?: () => Promise<string>;
}

const hostMountinfo = () => readFile('/proc/self/mountinfo', 'utf8');

/** Mounts the overlay unless already mounted there; creates upper, work and target. */
export async function mountOverlay(layout: OverlayLayout, ops: OverlayOps, maxOptions = MAX_MOUNT_OPTIONS): Promise<void> {
  const readMountinfo = ops.readMountinfo ?? hostMountinfo;
  if (isMountPoint(await readMountinfo(), layout.target)) return;
  const plan = overlayMount(layout, maxOptions);
  for (const d of [layout.upperDir, layout.workDir, layout.target]) await mkdir(d, { recursive: true });
  if (plan.links.length > 0) {
    await rm(layout.linkDir, { recursive: true, force: true });
    await mkdir(layout.linkDir, { recursive: true });
    for (const l of plan.links) await symlink(l.target, l.path);
  }
  const result = await ops.exec.run(plan.argv, { cwd: plan.cwd, timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new Error(`cannot mount the overlay rootfs at ${layout.target}: ${result.stderr.trim() || `mount exited ${result.code}`} (lower dirs: ${layout.lowerDirs.join(', ')}); check that every layer directory exists`);
  }
}

/** Unmounts `target` if mounted; a lazy unmount when busy so removal never hangs on it. */
export async function unmountOverlay(target: string, ops: OverlayOps): Promise<void> {
  const readMountinfo = ops.readMountinfo ?? hostMountinfo;
  if (!isMountPoint(await readMountinfo(), target)) return;
  const result = await ops.exec.run(['umount', target], { timeoutMs: 30_000 });
  if (result.code === 0 || /not mounted/.test(result.stderr)) return;
  const lazy = await ops.exec.run(['umount', '-l', target], { timeoutMs: 30_000 });
  if (lazy.code !== 0 && !/not mounted/.test(lazy.stderr)) {
    throw new Error(`cannot unmount the rootfs at ${target}: ${result.stderr.trim() || lazy.stderr.trim()}; find its users with \`fuser -vm ${target}\``);
  }
}
