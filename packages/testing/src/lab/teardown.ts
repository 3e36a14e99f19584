// Removes everything a lab is made of, found from the machine itself (names carry the lab id),
// so the same code serves lab.destroy(), the exit hooks and the sweep of crashed runs' labs.
// Synchronous on purpose: process.on('exit') cannot wait for promises.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { releaseSubnets } from './addressing.ts';
import { findCgroups, removeCgroupTree } from './cgroups.ts';
import { sleepSync } from './exec.ts';
import { deleteLink, deleteNetns, listLinks, listNetns, netnsPids } from './ip.ts';
import { labIdFromLinkName, labNames } from './naming.ts';
import { isAlive, removeMarker } from './owner.ts';

export interface TeardownOptions {
  /** How long processes in the lab's namespaces get between SIGTERM and SIGKILL. */
  graceMs?: number;
}

/** Tears lab `id` down; pieces already gone are skipped. Returns one message per failure. */
export function teardownLab(id: string, options: TeardownOptions = {}): string[] {
  const names = labNames(id);
  const errors: string[] = [];
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      errors.push((e as Error).message);
    }
  };

  let namespaces: string[] = [];
  attempt(() => {
    namespaces = listNetns().filter((ns) => ns.startsWith(names.hostPrefix));
  });

  // Processes first: a netns or cgroup outlives its deletion while a process still uses it.
  for (const ns of namespaces) attempt(() => stopNetnsProcesses(ns, options.graceMs ?? 2_000));
  for (const cg of findCgroups(names.hostPrefix)) errors.push(...removeCgroupTree(cg));

  attempt(() => {
    // Veths before the bridge; deleting the root-side end removes eth0 in the netns too.
    const links = listLinks().filter((l) => labIdFromLinkName(l) === id);
    for (const link of links.sort((a, b) => Number(a === names.bridge) - Number(b === names.bridge))) {
      attempt(() => ignoreIfGone(() => deleteLink(link), () => listLinks().includes(link)));
    }
  });
  for (const ns of namespaces) attempt(() => ignoreIfGone(() => deleteNetns(ns), () => listNetns().includes(ns)));

  // Containers' overlay rootfs (and anything else mounted under the hosts' state dirs)
  attempt(() => unmountUnder(names.rootDir));
  attempt(() => rmSync(names.rootDir, { recursive: true, force: true }));
  attempt(() => releaseSubnets(id));
  // Keep the marker while something is left, so a later sweep still knows the owner.
  if (errors.length === 0) attempt(() => removeMarker(id));
  return errors;
}

function stopNetnsProcesses(ns: string, graceMs: number): void {
  const pids = () => netnsPids(ns).filter((p) => p !== process.pid && isAlive(p));
  signalAll(pids(), 'SIGTERM');
  if (waitUntilGone(pids, graceMs)) return;
  signalAll(pids(), 'SIGKILL');
  if (!waitUntilGone(pids, 5_000)) throw new Error(`netns ${ns}: processes ${pids().join(', ')} survived SIGKILL`);
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

function waitUntilGone(pids: () => number[], timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids().length === 0) return true;
    if (Date.now() >= deadline) return false;
    sleepSync(20);
  }
}

/** Runs a deletion; a failure counts only if the piece still exists afterwards. */
function ignoreIfGone(remove: () => void, stillThere: () => boolean): void {
  try {
    remove();
  } catch (e) {
    if (stillThere()) throw e;
  }
}

/** Lazily unmounts every mount point under `dir`, deepest first. */
function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of points) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
}
