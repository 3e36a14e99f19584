// Running commands with argument arrays (never through a shell), async for setup and tests,
// sync for teardown, which must also run from process.on('exit').
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';

export interface ExecResult {
  /** Exit code; 128 + signal number when the command was killed by a signal, as a shell reports it. */
  code: number;
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Added to (and overriding) the environment of this process. */
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  /** Kill the command with SIGKILL after this long; default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('exec: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: exitCode(code, signal),
        ...(signal ? { signal } : {}),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

export function execSyncArgv(argv: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): ExecResult {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('exec: empty argv');
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message}`);
  return {
    code: exitCode(r.status, r.signal),
    ...(r.signal ? { signal: r.signal } : {}),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/** Runs a command and throws, naming the command and its stderr, unless it exits 0. */
export async function check(argv: readonly string[], what: string): Promise<string> {
  const r = await exec(argv);
  if (r.code !== 0) throw commandError(argv, r, what);
  return r.stdout;
}

export function checkSync(argv: readonly string[], what: string): string {
  const r = execSyncArgv(argv);
  if (r.code !== 0) throw commandError(argv, r, what);
  return r.stdout;
}

function commandError(argv: readonly string[], r: ExecResult, what: string): Error {
  return new Error(`${what}: \`${argv.join(' ')}\` exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
}

export function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread; only for teardown, which may run where nothing async can. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * argv that runs a command in a lab namespace. nsenter switches only the network
 * namespace; `ip netns exec` would also remount /sys, hiding /sys/fs/cgroup from agents
 * that create containers.
 */
export function netnsArgv(netns: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, '--', ...argv];
}
