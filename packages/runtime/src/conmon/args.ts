// conmon's command line (conmon 2.1, API version 1), built as an argument array.

export interface ConmonArgsInput {
  /** Container id (conmon's -c, and the exit file's name). */
  id: string;
  name: string;
  /** Absolute path of runc/crun. */
  runtimePath: string;
  /** The runtime's --root, so conmon's `runc create` shares berth's runtime state. */
  runtimeRoot: string;
  /** The runtime's own log (its JSON errors); conmon passes it as --log. */
  runtimeLog: string;
  bundle: string;
  /** Where the runtime writes the container's init pid. */
  containerPidFile: string;
  conmonPidFile: string;
  /** k8s-file log of the container's stdout and stderr. */
  logPath: string;
  /** Rotate the log past this many bytes; 0 or undefined = never. */
  logSizeMax?: number;
  /** conmon writes <exitDir>/<id> holding the exit code. */
  exitDir: string;
  /** Where conmon makes <socketDir>/<id>/attach and ctl. */
  socketDir: string;
  /** Keep a pipe to the container's stdin (-i). */
  stdin?: boolean;
  /** Keep stdin open when an attached client goes (docker run -d -i); closed otherwise (StdinOnce). */
  leaveStdinOpen?: boolean;
  /** The container runs on a terminal conmon holds (-t). */
  terminal?: boolean;
}

export function conmonArgs(c: ConmonArgsInput): string[] {
  const args = [
    '--api-version', '1',
    '-c', c.id,
    '-u', c.id,
    '-n', c.name,
    '-r', c.runtimePath,
    '-b', c.bundle,
    '-p', c.containerPidFile,
    '-P', c.conmonPidFile,
    '-l', `k8s-file:${c.logPath}`,
    '--exit-dir', c.exitDir,
    '--socket-dir-path', c.socketDir,
    // the attach socket in the bundle itself (<bundle>/attach): conmon otherwise links
    // <socketDir>/<id> to the bundle and shortens that link's name when the path is long
    '--full-attach',
    // no fsync of the log at exit and at each rotation: it delays the exit file and blocks the
    // container's writes on a slow disk (cri-o#6743); Docker's json-file does not sync either
    '--no-sync-log',
    '--runtime-arg', '--root', '--runtime-arg', c.runtimeRoot,
    '--runtime-arg', '--log', '--runtime-arg', c.runtimeLog,
    '--runtime-arg', '--log-format', '--runtime-arg', 'json',
  ];
  if (c.logSizeMax && c.logSizeMax > 0) args.push('--log-size-max', String(c.logSizeMax));
  if (c.stdin) args.push('-i');
  if (c.stdin && c.leaveStdinOpen) args.push('--leave-stdin-open');
  if (c.terminal) args.push('-t');
  return args;
}
