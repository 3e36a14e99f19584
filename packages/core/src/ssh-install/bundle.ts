// The agent bundle uploaded to a host: a tar.gz made locally with `tar`, holding
//   src/   the files the agent runs from (apps/agent and the workspaces it imports, the root
//          package files, infra/install and infra/systemd) and the node_modules it needs at
//          run time (its dependency closure plus tsx, which runs it), nothing else of the repo
//   node/bin/node   the node binary of this process (Debian 12 ships Node 18; berth needs 20)
// so the host needs no npm registry and no NodeSource: what runs there is what runs here.
// The bundle is only valid for a host of the same CPU architecture (node and esbuild are
// native); the installer checks that before uploading.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';

/** Workspace the agent lives in, and the packages that run it without being its dependencies. */
const AGENT_WORKSPACE = 'apps/agent';
const RUNNERS = ['tsx'];
const ROOT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'infra/install', 'infra/systemd', 'infra/README.md'];
/** Never shipped, at any depth. */
export const BUNDLE_EXCLUDES = ['.git', 'node_modules/.cache', '.next', '.turbo', '*.test.ts', '*.tsbuildinfo'];

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's resolution of `name` from a package directory: the nearest node_modules/name up to the root. */
function resolvePackage(root: string, fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || !dir.startsWith(root + sep)) return undefined;
    dir = dirname(dir);
  }
}

/**
 * The paths (relative to `source`) the agent needs to run: its workspace, the workspaces it
 * imports (through their node_modules/@scope/name symlinks, which are kept as symlinks), and
 * every installed package in its dependency closure (dependencies, plus optional and peer
 * dependencies that are installed: esbuild's platform binary is an optional one).
 */
export function agentBundlePaths(source: string): string[] {
  const root = realpathSync(source);
  if (!existsSync(join(root, AGENT_WORKSPACE, 'src/main.ts'))) {
    throw new Error(`${source} is not a berth checkout or release: no ${AGENT_WORKSPACE}/src/main.ts`);
  }
  const paths = new Set<string>(ROOT_FILES.filter((p) => existsSync(join(root, p))));
  const seen = new Set<string>();
  const visit = (pkgDir: string, names: Iterable<string>, required: boolean) => {
    for (const name of names) {
      const found = resolvePackage(root, pkgDir, name);
      if (!found) {
        if (required) throw new Error(`${relative(root, pkgDir) || '.'} needs ${name}, which is not installed under ${root}: run npm ci there first`);
        continue;
      }
      const link = relative(root, found);
      const real = realpathSync(found);
      const isLink = lstatSync(found).isSymbolicLink();
      if (isLink) {
        if (!real.startsWith(root + sep)) throw new Error(`${link} links outside ${root} (${real}): cannot bundle it`);
        paths.add(link); // the symlink itself, relative, resolved on the host like here
      }
      if (seen.has(real)) continue;
      seen.add(real);
      paths.add(relative(root, real));
      walk(real);
    }
  };
  const walk = (pkgDir: string) => {
    const pkg = readPackage(pkgDir);
    visit(pkgDir, Object.keys(pkg.dependencies ?? {}), true);
    visit(pkgDir, Object.keys(pkg.optionalDependencies ?? {}), false);
    visit(pkgDir, Object.keys(pkg.peerDependencies ?? {}), false);
  };
  const agent = join(root, AGENT_WORKSPACE);
  seen.add(agent);
  paths.add(AGENT_WORKSPACE);
  walk(agent);
  visit(root, RUNNERS, true);
  // A directory inside another listed directory is already in the archive.
  const sorted = [...paths].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(q + '/')));
}

export interface AgentBundle {
  /** The gzip'd tar stream; read it once. */
  stream: Readable;
  /** Resolves when tar has exited 0; rejects with its stderr otherwise. */
  done: Promise<void>;
  /** Stops tar (when the upload is abandoned). */
  cancel(): void;
}

/** The tar argv (no shell) that writes the bundle of `source` with `nodeBinary` to stdout. */
export function bundleTarArgs(source: string, nodeBinary: string, paths: readonly string[]): string[] {
  const node = realpathSync(nodeBinary);
  return [
    '--create', '--gzip', '--file=-',
    '--owner=0', '--group=0', '--numeric-owner',
    ...BUNDLE_EXCLUDES.map((e) => `--exclude=${e}`),
    '-C', realpathSync(source),
    // names only, never symlink targets (S): node_modules/@berth/x -> ../../packages/x stays valid
    '--transform=s,^,src/,S',
    // relative paths found under the repo; none starts with '-' (checked), so none is an option
    ...paths.map((p) => {
      if (p.startsWith('-') || p.startsWith('/')) throw new Error(`bundle path ${JSON.stringify(p)} would be read as an option or is absolute`);
      return p;
    }),
    '-C', dirname(node),
    // the second transform sees the first one's result
    `--transform=s,^src/${basename(node).replace(/[^A-Za-z0-9_-]/g, '.')}$,node/bin/node,S`,
    basename(node),
  ];
}

/** Starts `tar` making the bundle; the caller pipes `stream` to the host. */
export function createAgentBundle(source: string, nodeBinary: string = process.execPath): AgentBundle {
  const paths = agentBundlePaths(source);
  const args = bundleTarArgs(source, nodeBinary, paths);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`tar (making the agent bundle from ${source}): ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`tar (making the agent bundle from ${source}) ${signal ? `was killed by ${signal}` : `exited ${code}`}: ${stderr.trim().slice(-500)}`));
    });
  });
  done.catch(() => {}); // observed by the caller; never an unhandled rejection
  return { stream: child.stdout, done, cancel: () => child.kill('SIGTERM') };
}
