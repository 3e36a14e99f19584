// Removal of the cgroups an agent made under a lab host's cgroup parent. A cgroup directory
// can only be removed once it holds no process and no child, so: thaw, kill, wait, rmdir
// children bottom-up. Works on v1 (one hierarchy per controller) and on v2.
import { existsSync, lstatSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleepSync } from './exec.ts';

const CGROUP_FS = '/sys/fs/cgroup';

/** The hierarchy roots: /sys/fs/cgroup itself on v2, else each controller's mount (v1 and hybrid). */
export function cgroupRoots(fsRoot = CGROUP_FS): string[] {
  if (existsSync(join(fsRoot, 'cgroup.controllers'))) return [fsRoot];
  let entries: string[];
  try {
    entries = readdirSync(fsRoot);
  } catch {
    return [];
  }
  // Symlinks such as cpu -> cpu,cpuacct point at a hierarchy listed under its own name.
  return entries.map((e) => join(fsRoot, e)).filter((p) => lstatSync(p).isDirectory());
}

/** Top-level cgroups whose name starts with `prefix`, in every hierarchy. */
export function findCgroups(prefix: string, fsRoot = CGROUP_FS): string[] {
  return cgroupRoots(fsRoot).flatMap((root) => {
    try {
      return readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name.startsWith(prefix))
        .map((d) => join(root, d.name));
    } catch {
      return [];
    }
  });
}

/** Kills every process in the tree under `dir` and removes the tree; returns what failed. */
export function removeCgroupTree(dir: string, timeoutMs = 5_000): string[] {
  const tree = subtree(dir); // parents before children
  if (tree.length === 0) return [];
  for (const cg of tree) thaw(cg); // a frozen task cannot die, thaw parents first
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = tree.flatMap((cg) => procs(cg));
    if (left.length === 0) break;
    if (Date.now() > deadline) return [`cgroup ${dir}: processes ${left.join(', ')} survived SIGKILL`];
    for (const cg of tree) {
      if (!writeIfPresent(join(cg, 'cgroup.kill'), '1')) for (const pid of procs(cg)) if (pid !== process.pid) kill(pid);
    }
    sleepSync(20);
  }
  const errors: string[] = [];
  for (const cg of tree.reverse()) {
    const err = rmdirRetrying(cg, deadline);
    if (err) errors.push(err);
  }
  return errors;
}

function subtree(dir: string): string[] {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
  } catch {
    return []; // already gone
  }
  return [dir, ...children.flatMap(subtree)];
}

function procs(cg: string): number[] {
  try {
    return readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function thaw(cg: string): void {
  writeIfPresent(join(cg, 'freezer.state'), 'THAWED'); // v1 freezer
  writeIfPresent(join(cg, 'cgroup.freeze'), '0'); // v2
}

function writeIfPresent(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
}

function rmdirRetrying(cg: string, deadline: number): string | undefined {
  for (;;) {
    try {
      rmdirSync(cg);
      return undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      // EBUSY while the last tasks are being released
      if (code !== 'EBUSY' || Date.now() > deadline) return `cgroup ${cg}: rmdir failed: ${(e as Error).message}`;
      sleepSync(20);
    }
  }
}
