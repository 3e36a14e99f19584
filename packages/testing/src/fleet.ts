import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHost, LabProcess } from './lab/index.ts';
import { freePort } from './registry/free-port.ts';

/** The repository root, for spawning the apps from their sources. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const appEntry = (app: 'gateway' | 'agent' | 'cli') => join(repoRoot, `apps/${app}/src/main.ts`);
export const nodeArgs = (app: 'gateway' | 'agent' | 'cli') => ['--import', 'tsx', appEntry(app)];

export interface RunningGateway {
  url: string;
  wsUrl: string;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** Starts apps/gateway against `databaseUrl` on `bind`, waiting until /api/health answers. */
/** GET /api/health; over https, trusting `ca` (a test's self-signed certificate). */
function healthy(url: string, ca?: Buffer): Promise<boolean> {
  if (!ca) return fetch(`${url}/api/health`).then((r) => r.ok, () => false);
  return new Promise((resolve) => {
    const req = httpsRequest(`${url}/api/health`, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startGateway(o: { databaseUrl: string; bind?: string; port?: number; env?: Record<string, string>; tls?: { certFile: string; keyFile: string; ca: Buffer } }): Promise<RunningGateway> {
  const bind = o.bind ?? '127.0.0.1';
  const port = o.port ?? (await freePort());
  const out: string[] = [];
  const child = spawn(process.execPath, nodeArgs('gateway'), {
    env: { ...process.env, DATABASE_URL: o.databaseUrl, BIND: bind, PORT: String(port), BERTH_WEB: '0', ...(o.tls ? { BERTH_TLS_CERT: o.tls.certFile, BERTH_TLS_KEY: o.tls.keyFile } : {}), ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const url = `${o.tls ? 'https' : 'http'}://${bind}:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await healthy(url, o.tls?.ca))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the gateway did not start on ${url}:\n${out.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    wsUrl: `${o.tls ? 'wss' : 'ws'}://${bind}:${port}/agent`,
    process: child,
    log: () => out.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Starts apps/agent inside a lab host's namespace, with that host's state dir and cgroup parent. */
export function startLabAgent(host: LabHost, o: { wsUrl: string; joinToken?: string; env?: Record<string, string> }): LabProcess {
  return host.spawn([process.execPath, ...nodeArgs('agent')], {
    logName: 'agent.log',
    env: {
      BERTH_CONTROL_PLANE: o.wsUrl,
      BERTH_HOST_NAME: host.name,
      BERTH_STATE_DIR: host.stateDir,
      BERTH_CGROUP_PARENT: host.cgroupParent,
      // the lab's bridge is not loopback; these namespaces are ours
      BERTH_ALLOW_INSECURE: '1',
      // names no network knows are asked of the lab host's own loopback, never of the machine's resolvers
      BERTH_DNS: '127.0.0.1',
      ...(o.joinToken ? { BERTH_JOIN_TOKEN: o.joinToken } : {}),
      ...o.env,
    },
  });
}

/** Polls `check` until it returns a truthy value or the time is up. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the berth CLI as a user would, with the given API URL and token. */
export function runCli(args: string[], env: Record<string, string>, opts: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs('cli'), ...args], { env: { ...process.env, ...env }, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The CLI on a pseudo-terminal, as a user at a terminal runs it (`run -it`, `attach`). */
export interface CliOnTerminal {
  write(keys: string): void;
  /** Everything the terminal showed so far. */
  screen(): string;
  exited: Promise<number>;
  kill(): void;
}

export async function runCliOnTerminal(args: string[], env: Record<string, string>, size = { cols: 100, rows: 30 }): Promise<CliOnTerminal> {
  const pty = await import('node-pty');
  const term = pty.spawn(process.execPath, [...nodeArgs('cli'), ...args], { name: 'xterm', cols: size.cols, rows: size.rows, env: { ...(process.env as Record<string, string>), ...env } });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((r) => term.onExit((e) => r(e.exitCode)));
  return { write: (keys) => term.write(keys), screen: () => screen, exited, kill: () => term.kill() };
}
