import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec, ExecResult } from '../sys/exec.ts';
import { OciRuntimeError } from './errors.ts';
import { lastLoggedError } from './runtime-log.ts';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** `<runtime> state <id>`, as the OCI runtime spec defines it. */
export interface ContainerState {
  id: string;
  status: ContainerStatus;
  /** Host pid of the container's init process; 0 once stopped. */
  pid: number;
  bundle: string;
  created?: string;
  annotations?: Record<string, string>;
}

export interface RuntimeVersion {
  name: string;
  /** e.g. "1.1.5+ds1" */
  version: string;
  /** The OCI runtime-spec version it implements, if it says. */
  spec: string | null;
  commit: string | null;
}

export interface OciRuntimeConfig {
  /** runc or crun: names the root dir and every error. */
  name: string;
  /** Absolute path of the binary. */
  path: string;
  /** berth's state dir; the runtime keeps its state under <stateDir>/runtime/<name>. */
  stateDir: string;
  exec: Exec;
  /** Per-command timeout; `run` takes its own. */
  timeoutMs?: number;
}

// What runc accepts as a container id; it also keeps ids from being read as flags.
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}$/;
const NOT_FOUND = /does not exist|not found|no such file/i;

/**
 * A stateless wrapper around an OCI runtime binary: every call is one command with
 * `--root <stateDir>/runtime/<name>`, so berth's containers stay apart from any other
 * user of runc/crun on the host. Errors come from the runtime's JSON log.
 */
export class OciRuntime {
  readonly name: string;
  readonly path: string;
  /** The runtime's --root: where it keeps container state. */
  readonly root: string;
  readonly #exec: Exec;
  readonly #logDir: string;
  readonly #timeoutMs: number;

  constructor(config: OciRuntimeConfig) {
    this.name = config.name;
    this.path = config.path;
    this.root = join(config.stateDir, 'runtime', config.name);
    this.#logDir = join(config.stateDir, 'runtime', 'logs');
    this.#exec = config.exec;
    this.#timeoutMs = config.timeoutMs ?? 30_000;
  }

  /** Creates the container (namespaces, cgroup, rootfs) and stops before the user process runs. */
  async create(id: string, bundle: string, opts: { pidFile: string; consoleSocket?: string }): Promise<void> {
    const args = ['--bundle', bundle, '--pid-file', opts.pidFile];
    if (opts.consoleSocket) args.push('--console-socket', opts.consoleSocket);
    // The container inherits the runtime's stdio; pipes would keep this call waiting on it.
    await this.#call('create', id, [...args, id], { detachedStdio: true, context: `bundle ${bundle}` });
  }

  /** Runs the user process of a created container. */
  async start(id: string): Promise<void> {
    await this.#call('start', id, [id]);
  }

  async state(id: string): Promise<ContainerState> {
    const { stdout } = await this.#call('state', id, [id]);
    return parseState(stdout, this.name, id);
  }

  /** Containers in this runtime root. */
  async list(): Promise<ContainerState[]> {
    const { stdout } = await this.#call('list', null, ['--format', 'json']);
    const parsed = JSON.parse(stdout.trim() || 'null') as unknown[] | null;
    return (parsed ?? []).map((s) => toState(s, this.name, null));
  }

  /** Sends `signal` (SIGTERM, "KILL", 9) to the init process, or with `all` to every process in the container. */
  async kill(id: string, signal: string | number, opts: { all?: boolean } = {}): Promise<void> {
    await this.#call('kill', id, [...(opts.all ? ['--all'] : []), id, String(signal)]);
  }

  /**
   * Whether the runtime keeps any state for `id` (runc and crun keep a directory per container
   * under --root): asking the file system instead of spawning `runc delete` for nothing saves
   * a process launch on every first start.
   */
  async hasState(id: string): Promise<boolean> {
    return access(join(this.root, id)).then(() => true, () => false);
  }

  /** Removes the container's state and cgroup; `force` kills a running one first. */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.#call('delete', id, [...(opts.force ? ['--force'] : []), id]);
  }

  async pause(id: string): Promise<void> {
    await this.#call('pause', id, [id]);
  }

  async resume(id: string): Promise<void> {
    await this.#call('resume', id, [id]);
  }

  /**
   * Create, start, wait and delete in one call, in the foreground (used for probes).
   * Returns the container's exit code; `runtimeError` is what the runtime logged, if it failed.
   */
  async run(id: string, bundle: string, opts: { timeoutMs?: number } = {}): Promise<ExecResult & { runtimeError: string | null }> {
    assertContainerId(this.name, id);
    return this.#withLog('run', id, async (log) => {
      const result = await this.#exec.run(this.#argv(log, 'run', ['--bundle', bundle, id]), { timeoutMs: opts.timeoutMs ?? this.#timeoutMs });
      const runtimeError = result.code === 0 ? null : lastLoggedError(await readFile(log, 'utf8').catch(() => ''));
      return { ...result, runtimeError };
    });
  }

  async version(): Promise<RuntimeVersion> {
    const result = await this.#exec.run([this.path, '--version'], { timeoutMs: this.#timeoutMs });
    if (result.code !== 0) {
      throw this.#error('--version', null, result.code, result.stderr.trim() || result.stdout.trim(), `${this.path} --version`);
    }
    return parseVersion(this.name, result.stdout);
  }

  #argv(logFile: string, command: string, args: string[]): string[] {
    return [this.path, '--root', this.root, '--log', logFile, '--log-format', 'json', command, ...args];
  }

  async #call(
    command: string,
    id: string | null,
    args: string[],
    opts: { detachedStdio?: boolean; context?: string } = {},
  ): Promise<ExecResult> {
    if (id !== null) assertContainerId(this.name, id);
    return this.#withLog(command, id, async (log) => {
      const result = await this.#exec.run(this.#argv(log, command, args), { timeoutMs: this.#timeoutMs, detachedStdio: opts.detachedStdio });
      if (result.code === 0) return result;
      const logged = lastLoggedError(await readFile(log, 'utf8').catch(() => ''));
      throw this.#error(command, id, result.code, logged ?? result.stderr.trim(), opts.context);
    });
  }

  // One log file per command: the runtime appends, and the last error must be this call's.
  async #withLog<T>(command: string, id: string | null, fn: (logFile: string) => Promise<T>): Promise<T> {
    await mkdir(this.#logDir, { recursive: true });
    const log = join(this.#logDir, `${this.name}-${command}-${id ?? 'none'}-${randomBytes(4).toString('hex')}.json`);
    try {
      return await fn(log);
    } finally {
      await rm(log, { force: true });
    }
  }

  #error(command: string, id: string | null, exitCode: number | null, runtimeMessage: string, context?: string): OciRuntimeError {
    const notFound = id !== null && NOT_FOUND.test(runtimeMessage) && command !== 'create' && command !== 'run';
    const what = id === null ? `${this.name} ${command}` : `${this.name} ${command} ${id}`;
    const where = [`root ${this.root}`, context].filter(Boolean).join(', ');
    const said = runtimeMessage || `exited ${exitCode ?? '?'} without logging an error`;
    const hint = notFound ? `: container ${id} does not exist in ${this.root}` : '';
    return new OciRuntimeError(`${what} failed: ${said}${hint} (${where})`, {
      runtime: this.name,
      command,
      containerId: id,
      exitCode,
      runtimeMessage,
      notFound,
    });
  }
}

function assertContainerId(runtime: string, id: string): void {
  if (!CONTAINER_ID.test(id)) {
    throw new Error(`${runtime}: invalid container id "${id}": start with a letter or digit, then letters, digits, "_", ".", "+" or "-"`);
  }
}

const STATUSES = new Set<ContainerStatus>(['creating', 'created', 'running', 'stopped', 'paused']);

export function parseState(json: string, runtime: string, id: string | null): ContainerState {
  return toState(JSON.parse(json) as unknown, runtime, id);
}

function toState(raw: unknown, runtime: string, id: string | null): ContainerState {
  const s = raw as Partial<Record<string, unknown>>;
  const status = s.status as ContainerStatus;
  if (typeof s.id !== 'string' || !STATUSES.has(status)) {
    throw new Error(`${runtime} state${id ? ` ${id}` : ''}: unexpected output ${JSON.stringify(raw).slice(0, 200)}`);
  }
  const state: ContainerState = { id: s.id, status, pid: typeof s.pid === 'number' ? s.pid : 0, bundle: String(s.bundle ?? s.bundlePath ?? '') };
  if (typeof s.created === 'string') state.created = s.created;
  if (s.annotations && typeof s.annotations === 'object') state.annotations = s.annotations as Record<string, string>;
  return state;
}

/** `runc --version` / `crun --version` output → version, spec and commit. */
export function parseVersion(name: string, text: string): RuntimeVersion {
  const version = /version\s+(\S+)/.exec(text)?.[1];
  if (!version) throw new Error(`${name} --version: no version in output "${text.trim().slice(0, 200)}"`);
  return {
    name,
    version,
    spec: /^spec:\s*(\S+)/m.exec(text)?.[1] ?? null,
    commit: /^commit:\s*(\S+)/m.exec(text)?.[1] ?? null,
  };
}
