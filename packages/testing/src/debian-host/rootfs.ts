// A minimal bootable Debian root filesystem, built once with debootstrap and cached under
// /var/cache/berth-test, then shared read-only by every booted test host (overlay mounts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../lab/exec.ts';

export const CACHE_DIR = '/var/cache/berth-test';
export const SUITE = 'bookworm';

/**
 * What a test host boots with: systemd as init and sshd (the SSH install's target), plus the
 * Debian packages install-agent.sh would apt-get (crun runc conmon iproute2 nftables
 * busybox-static attr): lab namespaces have no route to a mirror, so a host cannot download them
 * during a test. sudo, to install as a non-root user. libstdc++6 for the node binary the
 * installer uploads (NodeSource's build links it; apt pulls it in anyway).
 */
export const DEFAULT_PACKAGES: readonly string[] = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'iproute2', 'ca-certificates',
  'crun', 'runc', 'conmon', 'nftables', 'busybox-static', 'attr', 'sudo', 'libstdc++6',
];

export interface RootfsOptions {
  packages?: readonly string[];
  /** Default: the first deb.debian.org-style URI of apt's sources on this machine serving `bookworm`. */
  mirror?: string;
  /** Called with progress lines (which step, how long it took). */
  log?: (line: string) => void;
}

export interface Rootfs {
  dir: string;
  /** Whether this call built it (false: it came from the cache). */
  built: boolean;
  /** Build time in ms when built. */
  buildMs?: number;
}

/** Thrown when debootstrap could not reach the mirror: the one reason a test may skip. */
export class MirrorUnreachableError extends Error {
  constructor(readonly mirror: string, detail: string) {
    super(`the Debian mirror ${mirror} is unreachable (debootstrap: ${detail})`);
    this.name = 'MirrorUnreachableError';
  }
}

export function rootfsKey(packages: readonly string[]): string {
  const spec = JSON.stringify({ suite: SUITE, variant: 'minbase', packages: [...packages].sort(), v: 1 });
  return createHash('sha256').update(spec).digest('hex').slice(0, 12);
}

export function rootfsDir(packages: readonly string[] = DEFAULT_PACKAGES): string {
  return join(CACHE_DIR, `debian-${SUITE}-${rootfsKey(packages)}`);
}

/** Whether a complete rootfs for these packages is cached (no network needed to use it). */
export function isRootfsCached(packages: readonly string[] = DEFAULT_PACKAGES): boolean {
  return existsSync(join(rootfsDir(packages), '.berth-complete'));
}

/** The mirror apt on this machine uses for Debian (deb822 .sources or one-line sources.list). */
export function aptMirror(): string {
  const candidates: string[] = [];
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) if (f.endsWith('.sources') || f.endsWith('.list')) files.push(join('/etc/apt/sources.list.d', f));
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    // deb822: stanzas with URIs: and Suites:
    for (const stanza of text.split(/\n\s*\n/)) {
      const uris = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1]?.split(/\s+/) ?? [];
      if (uris && suites.includes(SUITE) && !/security/.test(uris)) candidates.push(uris);
    }
    // one-line format: deb [opts] URI SUITE COMPONENTS
    for (const m of text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/gm)) {
      if (m[2] === SUITE && !/security/.test(m[1]!)) candidates.push(m[1]!);
    }
  }
  return candidates[0] ?? 'http://deb.debian.org/debian';
}

/** Installs debootstrap and systemd-nspawn (package systemd-container) when missing. */
export async function ensureTools(log: (line: string) => void = () => {}): Promise<void> {
  const missing: string[] = [];
  if (!existsSync('/usr/sbin/debootstrap')) missing.push('debootstrap');
  if (!existsSync('/usr/bin/systemd-nspawn')) missing.push('systemd-container');
  if (missing.length === 0) return;
  log(`apt-get install ${missing.join(' ')}`);
  const r = await exec(['apt-get', 'install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...missing], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 600_000,
  });
  if (r.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(-800)}`);
}

const NETWORK_FAILURE = /Failed getting release file|Temporary failure resolving|Could not resolve|Connection refused|Network is unreachable|Connection timed out|Failed to connect|Couldn't download/i;

let building: Promise<Rootfs> | undefined;

/**
 * The cached rootfs for `packages`, building it first if needed (several minutes: debootstrap
 * downloads ~150 MB of packages). Built in a temporary directory next to the cache entry and
 * renamed into place once complete, so an interrupted build never looks cached.
 */
export function ensureRootfs(options: RootfsOptions = {}): Promise<Rootfs> {
  const packages = options.packages ?? DEFAULT_PACKAGES;
  const dir = rootfsDir(packages);
  if (isRootfsCached(packages)) return Promise.resolve({ dir, built: false });
  building ??= build(packages, dir, options).finally(() => {
    building = undefined;
  });
  return building;
}

async function build(packages: readonly string[], dir: string, options: RootfsOptions): Promise<Rootfs> {
  const log = options.log ?? (() => {});
  const mirror = options.mirror ?? aptMirror();
  await ensureTools(log);
  await mkdir(CACHE_DIR, { recursive: true, mode: 0o755 });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const started = Date.now();
  log(`debootstrap --variant=minbase ${SUITE} into ${tmp} from ${mirror}`);
  const r = await exec(['debootstrap', '--variant=minbase', `--include=${packages.join(',')}`, SUITE, tmp, mirror], {
    env: { DEBIAN_FRONTEND: 'noninteractive' },
    timeoutMs: 30 * 60_000,
  });
  if (r.code !== 0) {
    const out = `${r.stdout}\n${r.stderr}`;
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    const last = out.trim().split('\n').slice(-3).join(' / ');
    if (NETWORK_FAILURE.test(out)) throw new MirrorUnreachableError(mirror, last);
    throw new Error(`debootstrap of ${SUITE} into ${tmp} exited ${r.code}: ${last}`);
  }
  // Smaller and host-neutral: no downloaded .debs, no host keys or machine id shared by all
  // hosts (each boot makes its own).
  await exec(['chroot', tmp, 'apt-get', 'clean']);
  for (const f of readdirSync(join(tmp, 'etc/ssh'))) if (f.startsWith('ssh_host_')) await rm(join(tmp, 'etc/ssh', f));
  await writeFile(join(tmp, 'etc/machine-id'), '');
  await writeFile(join(tmp, '.berth-complete'), `${new Date().toISOString()} ${packages.join(',')}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  const buildMs = Date.now() - started;
  log(`debootstrap done in ${(buildMs / 1000).toFixed(0)} s: ${dir}`);
  return { dir, built: true, buildMs };
}
