// A service's secrets and configs inside a container, kept as Docker Swarm keeps them: in
// memory only. Each container that has any gets a small tmpfs in its bundle; every file is
// written there with its owner and mode and bind-mounted read-only at its target. Nothing
// of them reaches the disk, the container's record or its writable layer; removing the
// container unmounts the tmpfs, and a reboot loses them (the control plane then makes a new
// replica, as Swarm makes a new task).
import { access, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMountPoint, unmountOverlay } from '../rootfs/overlay.ts';
import type { Exec } from '../sys/exec.ts';
import { toHostId, type IdMappings } from '../userns/idmap.ts';
import type { FileMountConfig } from './config.ts';

/** Docker's per-file limits (secrets 500 KB, configs 1000 KB); the tmpfs is sized to its files. */
const MAX_FILE = 1000 * 1024;

/** The file holding the n-th secret or config in the container's tmpfs. */
export const secretFilePath = (dir: string, i: number) => join(dir, String(i));

export function checkSecretFiles(files: readonly FileMountConfig[], contents: readonly Buffer[]): string | null {
  if (files.length !== contents.length) return `${files.length} secret files were described but ${contents.length} contents given`;
  for (const [i, f] of files.entries()) {
    if (!f.target.startsWith('/')) return `the ${f.kind} ${f.name} has a relative target ${JSON.stringify(f.target)}: give an absolute path`;
    if (contents[i]!.length > MAX_FILE) return `the ${f.kind} ${f.name} is ${contents[i]!.length} bytes, more than ${MAX_FILE}`;
  }
  const targets = files.map((f) => f.target);
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  return dup ? `two secrets or configs are mounted at ${dup}` : null;
}

/**
 * Mounts the tmpfs at `dir` (mode 0700, no exec/suid/devices) and writes the files, owned as
 * asked, shifted into the container's user namespace when it has one.
 */
export async function writeSecretFiles(dir: string, files: readonly FileMountConfig[], contents: readonly Buffer[], o: { exec: Exec; userns?: IdMappings | undefined }): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const size = contents.reduce((n, c) => n + c.length + 4096, 64 * 1024);
  const mounted = await o.exec.run(['mount', '-t', 'tmpfs', '-o', `mode=0700,size=${size},nosuid,nodev,noexec`, 'tmpfs', dir], { timeoutMs: 30_000 });
  if (mounted.code !== 0) throw new Error(`cannot mount the tmpfs for secrets at ${dir}: ${mounted.stderr.trim() || `mount exited ${mounted.code}`}`);
  // a remapped container's root makes its mounts from inside its user namespace: it must be
  // able to pass through the directory (it is not visible in the container)
  if (o.userns) {
    const root = { uid: toHostId(o.userns.uidMappings, 0), gid: toHostId(o.userns.gidMappings, 0) };
    if (root.uid !== null && root.gid !== null) await chown(dir, root.uid, root.gid);
  }
  for (const [i, f] of files.entries()) {
    const path = secretFilePath(dir, i);
    await writeFile(path, contents[i]!, { mode: f.mode });
    const uid = o.userns ? toHostId(o.userns.uidMappings, f.uid) : f.uid;
    const gid = o.userns ? toHostId(o.userns.gidMappings, f.gid) : f.gid;
    if (uid === null || gid === null) throw new Error(`the ${f.kind} ${f.name} is owned by ${f.uid}:${f.gid}, which the container's user namespace does not map`);
    await chown(path, uid, gid);
  }
}

/** Are the files still there (not lost to a reboot)? */
export async function secretFilesPresent(dir: string, count: number, readMountinfo: () => Promise<string>): Promise<boolean> {
  if (!isMountPoint(await readMountinfo(), dir)) return false;
  for (let i = 0; i < count; i++) if (!(await access(secretFilePath(dir, i)).then(() => true, () => false))) return false;
  return true;
}

export async function removeSecretFiles(dir: string, exec: Exec): Promise<void> {
  await unmountOverlay(dir, { exec });
}
