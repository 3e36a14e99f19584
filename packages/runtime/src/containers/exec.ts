// `exec`: a new process in a running container, through a foreground `runc exec`. The
// process spec is the container's own (capabilities, rlimits) with the exec's args, env,
// user and cwd. With a TTY, runc runs on a pseudo-terminal of ours: it makes the
// container's terminal, copies between the two and passes our window size on (SIGWINCH).
import { spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import pty from 'node-pty';
import type { Process } from '../spec/types.ts';
import type { ResolvedUser } from './user.ts';

export interface ExecOptions {
  cmd: string[];
  /** KEY=value, over the container's env. */
  env?: string[];
  /** "uid[:gid]" or a name from the container's /etc/passwd; default: the container's user. */
  user?: string;
  workingDir?: string;
  /** `-t`: a terminal of this size; output comes on stdout only, as with docker. */
  tty?: { cols: number; rows: number };
}

/** A running exec: its streams and, once it ends, its exit code. */
export interface ExecSession {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code (128+n when killed by signal n). */
  exitCode: Promise<number>;
  /** The terminal's new size (a no-op without a TTY). */
  resize(cols: number, rows: number): void;
  /** Ends the exec (the user went away): the runtime's process is killed, and with it the exec'd one. */
  kill(): void;
}

export function execProcess(base: Process, opts: ExecOptions, user: ResolvedUser | null): Process {
  if (opts.cmd.length === 0 || opts.cmd[0] === '') throw new Error('exec: no command given');
  const env = new Map<string, string>();
  for (const e of [...(base.env ?? []), ...(opts.env ?? [])]) {
    const eq = e.indexOf('=');
    if (eq > 0) env.set(e.slice(0, eq), e);
  }
  if (user) env.set('HOME', `HOME=${user.home}`);
  const p: Process = {
    terminal: !!opts.tty,
    // the size the terminal has from the first instant: a command run at once (stty size)
    // must not see 0x0 before the runtime's first resize
    ...(opts.tty ? { consoleSize: { height: opts.tty.rows, width: opts.tty.cols } } : {}),
    user: user ? (user.additionalGids.length ? { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids } : { uid: user.uid, gid: user.gid }) : base.user,
    args: [...opts.cmd],
    env: [...env.values()],
    cwd: opts.workingDir || base.cwd,
  };
  if (base.capabilities) p.capabilities = structuredClone(base.capabilities);
  if (base.rlimits) p.rlimits = structuredClone(base.rlimits);
  if (base.noNewPrivileges !== undefined) p.noNewPrivileges = base.noNewPrivileges;
  return p;
}

/** Spawns a foreground `runc exec`: runc passes its stdio to the process and exits with its code. */
export function spawnRuntimeExec(argv: readonly string[]): ExecSession {
  const [file, ...args] = argv;
  if (!file) throw new Error('exec: empty argv');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' } });
  const exitCode = new Promise<number>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
    child.once('close', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)));
  });
  return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exitCode, resize: () => {}, kill: () => void child.kill('SIGKILL') };
}

const RUNTIME_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color' };

/** Spawns a foreground `runc exec` of a terminal process on a pseudo-terminal of its own. */
export function spawnRuntimeExecTty(argv: readonly string[], size: { cols: number; rows: number }): ExecSession {
  const [file, ...args] = argv;
  if (!file) throw new Error('exec: empty argv');
  const term = pty.spawn(file, args, { name: 'xterm-256color', cols: size.cols, rows: size.rows, env: RUNTIME_ENV });
  const stdout = new PassThrough();
  const stderr = Readable.from([]);
  term.onData((d) => stdout.write(d));
  const exitCode = new Promise<number>((resolve) => {
    term.onExit((e) => {
      stdout.end();
      resolve(e.signal ? 128 + e.signal : e.exitCode);
    });
  });
  const stdin = new Writable({
    write(chunk: Buffer, _enc, done) {
      term.write(chunk.toString('utf8'));
      done();
    },
    // end of input on a terminal is ^D, as a user would type it
    final(done) {
      term.write('\x04');
      done();
    },
  });
  return {
    stdin,
    stdout,
    stderr,
    exitCode,
    resize: (cols, rows) => term.resize(Math.max(1, Math.min(cols, 1000)), Math.max(1, Math.min(rows, 1000))),
    kill: () => {
      try {
        term.kill('SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Collects an exec's output: the convenience for `exec` without streaming. */
export async function collect(session: ExecSession): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  session.stdin.end();
  const read = async (r: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of r) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const [stdout, stderr, exitCode] = await Promise.all([read(session.stdout), read(session.stderr), session.exitCode]);
  return { exitCode, stdout, stderr };
}
