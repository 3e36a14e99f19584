import { run, runAttached } from '../proc.ts';
import { UserError } from '../errors.ts';

/** Debian packages the agent needs on every host. */
export const AGENT_PACKAGES = ['crun', 'runc', 'conmon', 'iproute2', 'nftables', 'busybox-static', 'attr'];
/**
 * And what the test suite needs besides: a browser, a registry and htpasswd, sshd and a
 * booted Debian for the SSH install (debootstrap, systemd-nspawn), setfattr for overlay
 * whiteouts, openssl for TLS certificates.
 */
export const TEST_PACKAGES = [...AGENT_PACKAGES, 'chromium', 'docker-registry', 'apache2-utils', 'openssh-server', 'openssh-client', 'debootstrap', 'systemd-container', 'openssl', 'skopeo'];

export async function missingPackages(names: string[]): Promise<string[]> {
  const r = await run('dpkg-query', ['-W', '-f', '${Package} ${db:Status-Status}\n', ...names]);
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0]));
  return names.filter((n) => !installed.has(n));
}

/** Installs what is missing with apt-get (Debian 12); says exactly what to do when it cannot. */
export async function ensurePackages(names: string[], log: (s: string) => void): Promise<void> {
  const missing = await missingPackages(names).catch(() => {
    throw new UserError('cannot query installed packages (dpkg-query): berth up and berth test support Debian 12 and its derivatives');
  });
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new UserError(`missing Debian packages: ${missing.join(' ')}; run as root, or install them: apt-get install ${missing.join(' ')}`);
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if ((await runAttached('apt-get', ['update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] })) !== 0) throw new UserError('apt-get update failed: check the network and /etc/apt/sources.list');
  const code = await runAttached('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (code !== 0) throw new UserError(`apt-get install ${missing.join(' ')} failed (exit ${code}): see the messages above`);
}
