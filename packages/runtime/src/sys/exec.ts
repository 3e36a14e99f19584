import { execFile, spawn } from 'node:child_process';

/** What one host command returned. A non-zero exit is a result, not an exception. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Kill the command (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Largest stdout or stderr kept, in bytes. */
  maxBuffer?: number;
  cwd?: string;
  /** Written to the command's stdin, which is then closed (`ip -batch -`, `nft -f -`). */
  input?: string;
  /**
   * The command leaves processes behind that inherit its stdio (e.g. `runc create`).
   * Piped stdio would then stay open until those exit, so stdio goes to /dev/null and
   * stdout/stderr come back empty.
   */
  detachedStdio?: boolean;
}

/** The narrow door through which berth runs host binaries (runc, crun, ip, nft...). */
export interface Exec {
  run(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

/** The command could not be run at all, or did not finish in time. */
export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly reason: 'not-found' | 'timeout' | 'spawn-failed' | 'output-too-large',
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;

/** The real implementation: execFile with an argument array, never a shell. */
export function hostExec(defaults: Pick<ExecOptions, 'timeoutMs' | 'maxBuffer'> = {}): Exec {
  return {
    run(argv, opts = {}) {
      const [file, ...args] = argv;
      if (file === undefined) return Promise.reject(new ExecError('exec: empty argv', argv, 'spawn-failed'));
      const timeoutMs = opts.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (opts.detachedStdio) return runDetached(file, args, argv, timeoutMs, opts.cwd);
      const maxBuffer = opts.maxBuffer ?? defaults.maxBuffer ?? DEFAULT_MAX_BUFFER;
      return new Promise((resolve, reject) => {
        const child = execFile(
          file,
          args,
          { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer, cwd: opts.cwd, encoding: 'utf8' },
          (err, stdout, stderr) => {
            if (!err) return resolve({ code: 0, stdout, stderr });
            const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
            if (e.code === 'ENOENT') return reject(new ExecError(`${file}: not found (is it installed and on PATH?)`, argv, 'not-found'));
            if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
              return reject(new ExecError(`${file}: output exceeded ${maxBuffer} bytes`, argv, 'output-too-large'));
            }
            if (e.killed && e.signal === 'SIGKILL') {
              return reject(new ExecError(`${file}: killed after ${timeoutMs} ms timeout`, argv, 'timeout'));
            }
            if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
            // Killed by a signal from elsewhere: report it like a shell does (128 + n).
            if (e.signal) return resolve({ code: 128 + signalNumber(e.signal), stdout, stderr });
            reject(new ExecError(`${file}: ${e.message}`, argv, 'spawn-failed'));
          },
        );
        if (opts.input !== undefined) {
          child.stdin?.on('error', () => undefined); // the command may exit without reading it
          child.stdin?.end(opts.input);
        }
      });
    },
  };
}

function runDetached(file: string, args: string[], argv: readonly string[], timeoutMs: number, cwd?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore', cwd });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ExecError(`${file}: killed after ${timeoutMs} ms timeout`, argv, 'timeout'));
    }, timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') reject(new ExecError(`${file}: not found (is it installed and on PATH?)`, argv, 'not-found'));
      else reject(new ExecError(`${file}: ${err.message}`, argv, 'spawn-failed'));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + signalNumber(signal ?? 'SIGKILL'), stdout: '', stderr: '' });
    });
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
function signalNumber(signal: string): number {
  return SIGNALS[signal] ?? 0;
}
