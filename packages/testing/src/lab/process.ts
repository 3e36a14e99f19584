// Long-running processes inside a lab host's netns (agents, servers), with output to a log file.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { exitCode, netnsArgv } from './exec.ts';

export interface ProcessExit {
  code: number;
  signal?: NodeJS.Signals;
}

export interface LabProcess {
  readonly pid: number;
  readonly argv: readonly string[];
  /** stdout and stderr of the process, interleaved. */
  readonly logPath: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** Whether the process has exited. */
  readonly done: boolean;
  /** Sends `signal` (default SIGTERM), waits up to `timeoutMs` (default 5 s), then SIGKILLs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
}

export interface SpawnInNetnsOptions {
  env?: Record<string, string>;
  cwd?: string;
  logPath: string;
}

export function spawnInNetns(netns: string, argv: readonly string[], options: SpawnInNetnsOptions): LabProcess {
  if (argv.length === 0) throw new Error(`spawn in netns ${netns}: empty argv`);
  const log = openSync(options.logPath, 'a');
  let child;
  try {
    // `ip netns exec` execs the command itself, so child.pid is the command's pid.
    const [cmd, ...args] = netnsArgv(netns, argv);
    child = spawn(cmd!, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log); // the child holds its own copy
  }
  const pid = child.pid;
  let done = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ code: exitCode(code, signal), ...(signal ? { signal } : {}) });
    });
    child.on('error', () => {
      done = true;
      resolve({ code: 127 });
    });
  });
  if (pid === undefined) {
    throw new Error(`spawn in netns ${netns}: could not start \`ip netns exec ${netns} ${argv.join(' ')}\``);
  }

  return {
    pid,
    argv,
    logPath: options.logPath,
    exited,
    get done() {
      return done;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      if (done) return exited;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') child.kill('SIGKILL');
      return exited;
    },
  };
}
