// A whole booted Debian (systemd as PID 1, sshd, journald) inside a lab host's network
// namespace: the cached rootfs under an overlay mount, booted by systemd-nspawn. This machine
// has no systemd as PID 1, so this is where systemd units and SSH installs are tested for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { exec, execSyncArgv, sleepSync } from '../lab/exec.ts';
import type { ExecOptions, ExecResult } from '../lab/exec.ts';
import type { LabHost } from '../lab/lab.ts';
import { ensureRootfs, type RootfsOptions } from './rootfs.ts';

export interface DebianHostOptions extends RootfsOptions {
  /** Sets root's password and allows root to log in with it over SSH (PermitRootLogin yes). */
  rootPassword?: string;
  /** OpenSSH public key lines for /root/.ssh/authorized_keys. */
  authorizedKeys?: readonly string[];
  /** Extra users: name, password, and whether they get passwordless sudo. */
  users?: readonly { name: string; password: string; sudo?: 'nopasswd' | 'password' }[];
  /** How long the boot may take until sshd answers; default 60 s. */
  bootTimeoutMs?: number;
}

export interface DebianHost {
  /** The lab host whose network namespace the machine lives in (same address). */
  readonly lab: LabHost;
  readonly address: string;
  readonly machineName: string;
  /** The merged (overlay) root directory: the machine's files as seen from this machine. */
  readonly root: string;
  /** sshd's host key fingerprints, by type (ed25519, ecdsa, rsa): `SHA256:...`. */
  readonly hostKeys: Readonly<Record<string, string>>;
  /** Milliseconds from starting nspawn until sshd answered. */
  readonly bootMs: number;
  /** Where nspawn's console output (the boot log) goes. */
  readonly consoleLog: string;
  /** Runs a command inside the machine (all its namespaces, as root) and waits for it. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Powers the machine off (SIGKILL after a grace period), unmounts and removes its files. Idempotent. */
  destroy(): Promise<void>;
}

const live = new Set<DebianHostImpl>();
let exitHook = false;

/**
 * Boots a Debian machine in `host`'s network namespace. The rootfs is built on first use (see
 * rootfs.ts) and shared read-only; each machine writes to its own overlay upper directory
 * under the lab's root, so it is removed with the lab even if destroy() is never reached.
 */
export async function bootDebianHost(host: LabHost, options: DebianHostOptions = {}): Promise<DebianHost> {
  const rootfs = await ensureRootfs(options);
  const base = join(host.stateDir, 'debian');
  const m = new DebianHostImpl(host, base, `berth-${host.netns.slice(-12)}`.replace(/[^a-zA-Z0-9-]/g, '-'));
  live.add(m);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const h of live) h.destroySync();
    });
  }
  try {
    await m.boot(rootfs.dir, options);
    return m;
  } catch (e) {
    const errors = m.destroySync();
    const log = existsSync(m.consoleLog) ? readFileSync(m.consoleLog, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
    throw new Error(`booting Debian in ${host.netns}: ${(e as Error).message}${log ? `\nconsole (last lines):\n${log}` : ''}${errors.length ? `\ncleanup also failed: ${errors.join('; ')}` : ''}`, { cause: e });
  }
}

class DebianHostImpl implements DebianHost {
  readonly address: string;
  readonly root: string;
  readonly consoleLog: string;
  hostKeys: Record<string, string> = {};
  bootMs = 0;
  private readonly upper: string;
  private readonly work: string;
  private mounted = false;
  private nspawn: ChildProcess | undefined;
  private nspawnExited: Promise<void> = Promise.resolve();
  private leader: number | undefined;
  private destroyed = false;

  constructor(
    readonly lab: LabHost,
    private readonly base: string,
    readonly machineName: string,
  ) {
    this.address = lab.address;
    this.root = join(base, 'root');
    this.upper = join(base, 'upper');
    this.work = join(base, 'work');
    this.consoleLog = join(base, 'console.log');
  }

  async boot(lower: string, o: DebianHostOptions): Promise<void> {
    for (const d of [this.root, this.upper, this.work]) mkdirSync(d, { recursive: true });
    await checked(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${this.upper},workdir=${this.work}`, this.root], 'overlay mount');
    this.mounted = true;
    await this.configure(o);

    const started = Date.now();
    const log = openSync(this.consoleLog, 'a');
    try {
      this.nspawn = spawn('systemd-nspawn', [
        '--quiet', '-D', this.root, '--machine', this.machineName,
        // no machined/systemd here to register with; the machine stays in our cgroup
        '--register=no', '--keep-unit',
        `--network-namespace-path=/run/netns/${this.lab.netns}`,
        '--console=read-only', '--boot',
      ], { stdio: ['ignore', log, log], env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
    } finally {
      closeSync(log);
    }
    const child = this.nspawn;
    this.nspawnExited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = started + (o.bootTimeoutMs ?? 60_000);
    while (!(await sshAnswers(this.address, 22))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`systemd-nspawn exited (${child.exitCode ?? child.signalCode}) before sshd answered`);
      if (Date.now() > deadline) throw new Error(`sshd did not answer on ${this.address}:22 within ${o.bootTimeoutMs ?? 60_000} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
    this.bootMs = Date.now() - started;
    this.leader = findLeader(child.pid!);
  }

  /** Host keys of its own, root's credentials, users: written into the overlay before boot. */
  private async configure(o: DebianHostOptions): Promise<void> {
    const r = this.root;
    await checked(['chroot', r, 'ssh-keygen', '-A', '-q'], 'ssh-keygen -A');
    for (const type of ['ed25519', 'ecdsa', 'rsa']) {
      const pub = join(r, `etc/ssh/ssh_host_${type}_key.pub`);
      if (!existsSync(pub)) continue;
      const out = await checked(['ssh-keygen', '-l', '-E', 'sha256', '-f', pub], 'ssh-keygen -l');
      const fp = /SHA256:[A-Za-z0-9+/]+/.exec(out)?.[0];
      if (fp) this.hostKeys[type] = fp;
    }
    await mkdir(join(r, 'etc/ssh/sshd_config.d'), { recursive: true });
    const sshd = ['# written by @berth/testing debian-host', 'UseDNS no'];
    if (o.rootPassword !== undefined) sshd.push('PermitRootLogin yes');
    await writeFile(join(r, 'etc/ssh/sshd_config.d/berth-test.conf'), sshd.join('\n') + '\n');
    const passwords: string[] = [];
    if (o.rootPassword !== undefined) passwords.push(`root:${o.rootPassword}`);
    for (const u of o.users ?? []) {
      await checked(['chroot', r, 'useradd', '--create-home', '--shell', '/bin/bash', u.name], `useradd ${u.name}`);
      passwords.push(`${u.name}:${u.password}`);
      if (u.sudo) {
        const line = `${u.name} ALL=(ALL:ALL) ${u.sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`;
        await writeFile(join(r, `etc/sudoers.d/berth-test-${u.name}`), line, { mode: 0o440 });
      }
    }
    if (passwords.length > 0) {
      const res = await exec(['chroot', r, 'chpasswd'], { input: passwords.join('\n') + '\n' });
      if (res.code !== 0) throw new Error(`chpasswd exited ${res.code}: ${res.stderr.trim()}`);
    }
    if (o.authorizedKeys?.length) {
      await mkdir(join(r, 'root/.ssh'), { recursive: true, mode: 0o700 });
      await writeFile(join(r, 'root/.ssh/authorized_keys'), o.authorizedKeys.join('\n') + '\n', { mode: 0o600 });
      await chmod(join(r, 'root/.ssh'), 0o700);
    }
  }

  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    if (this.leader === undefined) return Promise.reject(new Error(`${this.machineName} is not running`));
    // every namespace of the machine's PID 1 (mount, pid, uts, ipc, net, cgroup) and its root
    return exec(['nsenter', '--target', String(this.leader), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd', '--',
      'env', '-i', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', ...argv], options);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    const child = this.nspawn;
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGTERM to nspawn asks the machine's systemd for an orderly poweroff
      child.kill('SIGTERM');
      const timedOut = await Promise.race([this.nspawnExited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 15_000))]);
      if (timedOut) this.killHard();
      await Promise.race([this.nspawnExited, new Promise((r) => setTimeout(r, 5_000))]);
    }
    const errors = this.destroySync();
    if (errors.length) throw new Error(`${this.machineName}: teardown left pieces behind: ${errors.join('; ')}`);
  }

  private killHard(): void {
    for (const pid of [this.leader, this.nspawn?.pid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL'); // the machine's PID 1: its whole PID namespace dies with it
      } catch {
        // gone
      }
    }
  }

  /** Synchronous teardown (also from process 'exit'): kill, unmount, remove. Returns failures. */
  destroySync(): string[] {
    const errors: string[] = [];
    if (this.nspawn && this.nspawn.exitCode === null && this.nspawn.signalCode === null) {
      this.killHard();
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && alive(this.nspawn.pid)) sleepSync(50);
    }
    if (this.mounted || isMountPoint(this.root)) {
      let r = execSyncArgv(['umount', this.root]);
      if (r.code !== 0) {
        sleepSync(300);
        r = execSyncArgv(['umount', '--lazy', this.root]);
      }
      if (r.code !== 0) errors.push(`umount ${this.root}: ${r.stderr.trim()}`);
      else this.mounted = false;
    }
    if (!this.mounted) {
      try {
        rmSync(this.base, { recursive: true, force: true });
      } catch (e) {
        errors.push(`rm ${this.base}: ${(e as Error).message}`);
      }
    }
    if (errors.length === 0) {
      this.destroyed = true;
      live.delete(this);
    }
    return errors;
  }
}

async function checked(argv: readonly string[], what: string): Promise<string> {
  const r = await exec(argv, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${what}: \`${argv.join(' ')}\` exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isMountPoint(dir: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);
  } catch {
    return false;
  }
}

/** The machine's PID 1 as seen from here: nspawn's child process. */
function findLeader(nspawnPid: number): number {
  for (let i = 0; i < 50; i++) {
    try {
      const children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const c of children) {
        const status = readFileSync(`/proc/${c}/status`, 'utf8');
        // the container's init: NSpid shows pid 1 in its own PID namespace
        const nspid = /^NSpid:\s*(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
        if (nspid && nspid[nspid.length - 1] === '1') return c;
      }
    } catch {
      // racing with nspawn's forks
    }
    sleepSync(100);
  }
  throw new Error(`could not find the machine's PID 1 among the children of systemd-nspawn (pid ${nspawnPid})`);
}

/** Whether an SSH server answers on address:port: it sends its `SSH-2.0-` banner first. */
export function sshAnswers(address: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    let buf = '';
    const done = (v: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.startsWith('SSH-')) done(true);
      else if (buf.length > 8) done(false);
    });
    s.on('error', () => done(false));
    s.on('close', () => done(false));
  });
}
