// Runs Debian's docker-registry on 127.0.0.1 with throwaway storage, for pull/push tests.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { registryConfigYaml } from './config.ts';
import { freePort } from './free-port.ts';
import { htpasswdLine } from './htpasswd.ts';

const execFileAsync = promisify(execFile);

export const REGISTRY_BINARY = 'docker-registry';
const NOT_INSTALLED = 'docker-registry is not installed: run `apt-get install docker-registry` (./berth test installs it)';

export interface StartRegistryOptions {
  /** Turns on htpasswd Basic auth with this one user. */
  htpasswd?: { username: string; password: string };
  /** The registry executable; defaults to Debian's docker-registry from PATH. */
  binary?: string;
  /** How long to wait for GET /v2/ to answer. */
  readyTimeoutMs?: number;
  /** The address to listen on: 127.0.0.1 unless lab hosts must reach it (their bridge address). */
  bind?: string;
}

export interface RunningRegistry {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** e.g. 127.0.0.1:41234, as image references name it. */
  host: string;
  /** Where the registry keeps its blobs (inside the temp dir stop() removes). */
  storageDir: string;
  pid: number;
  /** Kills the registry and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

async function checkInstalled(binary: string): Promise<void> {
  try {
    await execFileAsync(binary, ['--version']);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(NOT_INSTALLED);
    throw new Error(`${binary} --version failed: ${(err as Error).message}`);
  }
}

// One 'exit' listener for all registries (one per registry would trip MaxListenersExceeded).
// Exit handlers must be synchronous: SIGKILL the process, rmSync the temp dir.
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;
function onProcessExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    process.on('exit', () => [...exitCleanups].reverse().forEach((fn) => fn())); // kill before removing dirs
    exitHookInstalled = true;
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once GET /v2/ answers 200 (or 401 with auth on); rejects if the process dies first. */
async function waitReady(child: ChildProcess, url: string, expected: number, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}) before answering ${url}/v2/: ${stderr().trim() || 'no output'}`);
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === expected) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    await sleep(50);
  }
  throw new Error(`docker-registry did not answer GET ${url}/v2/ with ${expected} within ${timeoutMs} ms (${last}): ${stderr().trim()}`);
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startOnce(dir: string, opts: StartRegistryOptions): Promise<RunningRegistry> {
  const bind = opts.bind ?? '127.0.0.1';
  const port = await freePort(bind);
  const host = `${bind}:${port}`;
  const url = `http://${host}`;
  const configPath = join(dir, 'config.yml');
  await writeFile(
    configPath,
    registryConfigYaml({ storageDir: join(dir, 'storage'), addr: host, htpasswdPath: opts.htpasswd ? join(dir, 'htpasswd') : undefined }),
  );

  // A clean env: REGISTRY_* variables in the parent would override the config file.
  const cleanEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
  const child = spawn(opts.binary ?? REGISTRY_BINARY, ['serve', configPath], {
    // typed as a plain record: Next's global types (in the gateway's typecheck) make NODE_ENV required
    env: cleanEnv as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (err) => reject(err)));
  spawnError.catch(() => {});

  // If the test process ends without stop(), the registry must not outlive it.
  const offExit = onProcessExit(() => child.kill('SIGKILL'));

  try {
    await Promise.race([spawnError, waitReady(child, url, opts.htpasswd ? 401 : 200, opts.readyTimeoutMs ?? 15_000, () => stderr)]);
  } catch (err) {
    offExit();
    child.kill('SIGKILL');
    await waitExit(child, 2000);
    const error = err as NodeJS.ErrnoException;
    if (error.code === 'ENOENT') throw new Error(NOT_INSTALLED);
    throw Object.assign(error, { addressInUse: /address already in use/.test(stderr) });
  }

  return {
    url,
    host,
    storageDir: join(dir, 'storage'),
    pid: child.pid as number,
    async stop() {
      offExit();
      child.kill('SIGTERM');
      await waitExit(child, 5000);
    },
  };
}

/** Starts a registry on a free port of 127.0.0.1 (or `bind`); call stop() when done (e.g. in afterAll). */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RunningRegistry> {
  await checkInstalled(opts.binary ?? REGISTRY_BINARY);
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const offExit = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await mkdir(join(dir, 'storage'));
    if (opts.htpasswd) await writeFile(join(dir, 'htpasswd'), await htpasswdLine(opts.htpasswd.username, opts.htpasswd.password), { mode: 0o600 });
    for (let attempt = 1; ; attempt++) {
      try {
        const registry = await startOnce(dir, opts);
        return {
          ...registry,
          async stop() {
            await registry.stop();
            offExit();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        // The free port can be taken between probing and binding: try another.
        if (attempt < 3 && (err as { addressInUse?: boolean }).addressInUse) continue;
        throw err;
      }
    }
  } catch (err) {
    offExit();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
