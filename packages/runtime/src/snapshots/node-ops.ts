// What Node cannot do itself when unpacking layers: make device nodes and fifos, and set
// extended attributes (overlay's opaque marker, file capabilities). Done through the host's
// mknod, mkfifo and setfattr (package `attr`) with argument arrays.
import type { Exec } from '../sys/exec.ts';

export interface NodeOps {
  mknod(path: string, type: 'c' | 'b', major: number, minor: number): Promise<void>;
  mkfifo(path: string, mode: number): Promise<void>;
  /** Sets an xattr on `path` itself, never on what a symlink points to. */
  setXattr(path: string, name: string, value: Buffer): Promise<void>;
}

export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

async function run(exec: Exec, argv: string[], what: string): Promise<void> {
  const result = await exec.run(argv, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`${what}: ${argv[0]} exited ${result.code}: ${result.stderr.trim()}`);
}

/** The host implementation: `mknod`, `mkfifo` (coreutils) and `setfattr` (apt-get install attr). */
export function hostNodeOps(exec: Exec): NodeOps {
  return {
    mknod: (path, type, major, minor) => run(exec, ['mknod', '--', path, type, String(major), String(minor)], `cannot create device ${path}`),
    mkfifo: (path, mode) => run(exec, ['mkfifo', '-m', (mode & 0o7777).toString(8), '--', path], `cannot create fifo ${path}`),
    setXattr: (path, name, value) =>
      // 0s<base64> passes any bytes; -h acts on a symlink itself.
      run(exec, ['setfattr', '-h', '-n', name, '-v', `0s${value.toString('base64')}`, '--', path], `cannot set ${name} on ${path} (is setfattr installed? apt-get install attr)`),
  };
}
