// Installing and uninstalling the agent on a remote host over SSH. Runs in any Node process:
// the CLI today, the control plane (for the dashboard) through service.ts. Nothing here reads
// the environment, stores credentials, or logs them: the password / private key reach ssh2
// only, the join token reaches the host only on the install script's stdin.
import { arch } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAgentBundle } from './bundle.ts';
import { SshInstallError } from './errors.ts';
import { connectSsh, type SshSession, type SshTarget } from './ssh.ts';

export type StepStatus = 'running' | 'done' | 'failed';

export interface InstallStep {
  n: number;
  total: number;
  title: string;
  status: StepStatus;
  detail?: string;
}

export interface InstallAgentOptions extends SshTarget {
  /** wss://…/agent (or ws:// with allowInsecure) as the host will dial it. */
  controlPlaneUrl: string;
  /**
   * Single-use join token; sent on the install script's stdin, never on a command line. A
   * function is called only once the host is verified and checked (no token is made for a host
   * whose key is not accepted yet).
   */
  joinToken: string | (() => Promise<string>);
  /** The name the host enrolls as. */
  hostName: string;
  /** The berth checkout or release to bundle (the repo root). */
  source: string;
  /** The node binary uploaded with the agent; default: the one running this process. */
  nodeBinary?: string;
  /** Let the agent use plain ws:// to a non-loopback address (trusted networks only). */
  allowInsecure?: boolean;
  /** base64 sha256 of the control plane certificate's public key, for the agent to pin. */
  pinSha256?: string;
  /** Where the agent is installed on the host; default /opt/berth. */
  prefix?: string;
  /**
   * Resolves once the control plane has seen the host enroll (the caller polls its DB or API).
   * Without it, the last step only checks that the agent stays running.
   */
  waitForHost?: (signal: AbortSignal) => Promise<unknown>;
  /** How long enrollment may take; default 120 s. */
  enrollTimeoutMs?: number;
  onStep?: (step: InstallStep) => void;
  signal?: AbortSignal;
}

export interface InstallResult {
  /** The host key fingerprint that was verified: persist it (it is the pin for next time). */
  fingerprint: string;
  steps: InstallStep[];
}

export interface UninstallAgentOptions extends SshTarget {
  /** The repo root whose infra/install/uninstall-agent.sh is run (streamed on stdin). */
  source: string;
  /** Also remove /var/lib/berth (images, containers, the agent's key). */
  purge?: boolean;
  prefix?: string;
  onStep?: (step: InstallStep) => void;
  signal?: AbortSignal;
}

const UNIT = 'berth-agent.service';
const REMOTE_TMP = /^\/tmp\/berth-install\.[A-Za-z0-9]{10}$/;

/** Reports numbered steps as they start, progress, finish or fail. */
class Steps {
  readonly list: InstallStep[];
  current = 0;
  constructor(titles: readonly string[], private readonly onStep: (s: InstallStep) => void = () => {}) {
    this.list = titles.map((title, i) => ({ n: i + 1, total: titles.length, title, status: 'running' }));
  }
  private emit(n: number, status: StepStatus, detail?: string) {
    const s = this.list[n - 1];
    if (!s) return;
    s.status = status;
    if (detail !== undefined) s.detail = detail;
    else delete s.detail;
    this.onStep({ ...s });
  }
  start(n: number, detail?: string) {
    this.current = n;
    this.emit(n, 'running', detail);
  }
  progress(n: number, detail: string) {
    this.emit(n, 'running', detail);
  }
  done(n: number, detail?: string) {
    this.emit(n, 'done', detail);
  }
  fail(n: number, detail: string) {
    this.emit(n, 'failed', detail);
  }
  /** Only the steps that were reached. */
  reached(): InstallStep[] {
    return this.list.filter((s) => s.n <= this.current).map((s) => ({ ...s }));
  }
}

const NODE_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** What the host is, read by one fixed shell script (no variable parts). */
const CHECK_SCRIPT = [
  'printf "uid=%s\\n" "$(id -u)"',
  'printf "arch=%s\\n" "$(uname -m)"',
  'if [ -r /etc/os-release ]; then . /etc/os-release; fi',
  'printf "id=%s\\nlike=%s\\nversion=%s\\npretty=%s\\n" "${ID:-}" "${ID_LIKE:-}" "${VERSION_ID:-}" "${PRETTY_NAME:-}"',
  'if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd=1; else echo systemd=0; fi',
  'if [ "$(id -u)" != 0 ]; then if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then echo sudo=1; else echo sudo=0; fi; fi',
  'for c in bash tar gzip mktemp; do command -v "$c" >/dev/null 2>&1 || echo "missing=$c"; done',
].join('\n');

interface HostCheck {
  sudo: string[];
  summary: string;
}

async function checkHost(ssh: SshSession, who: string, signal?: AbortSignal): Promise<HostCheck> {
  const r = await ssh.run(['sh', '-c', CHECK_SCRIPT], { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
  if (r.code !== 0) throw new SshInstallError(`${who}: the host check failed (exit ${r.code}): ${r.stderr.trim().slice(-300)}`);
  const kv = new Map<string, string>();
  const missing: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i);
    if (k === 'missing') missing.push(line.slice(i + 1));
    else kv.set(k, line.slice(i + 1));
  }
  const root = kv.get('uid') === '0';
  if (!root && kv.get('sudo') !== '1') {
    throw new SshInstallError(`${who} is not root and \`sudo -n\` does not work for it (sudo missing, or it asks for a password): log in as root, or allow this user passwordless sudo`);
  }
  const id = kv.get('id') ?? '';
  const like = (kv.get('like') ?? '').split(/\s+/);
  if (id !== 'debian' && !like.includes('debian')) {
    throw new SshInstallError(`${who} runs ${kv.get('pretty') || id || 'an unknown OS'}: the installer supports Debian 12 and its derivatives (it uses apt and dpkg)`);
  }
  if (kv.get('systemd') !== '1') throw new SshInstallError(`${who}: systemd is not running as init there, and the agent is installed as a systemd unit`);
  const localArch = NODE_ARCH[arch()] ?? arch();
  const remoteArch = kv.get('arch') ?? '';
  if (remoteArch !== localArch) {
    throw new SshInstallError(`${who} is ${remoteArch || 'of an unknown architecture'} but this machine is ${localArch}: the agent bundle carries this machine's node binary and native modules, so install from a ${remoteArch} machine`);
  }
  if (missing.length) throw new SshInstallError(`${who} lacks ${missing.join(', ')}: install ${missing.length > 1 ? 'them' : 'it'} (apt-get install ${missing.join(' ')})`);
  return { sudo: root ? [] : ['sudo', '-n', '--'], summary: `${root ? 'root' : 'sudo'}, ${kv.get('pretty') || id}, ${remoteArch}, systemd` };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The last lines of a command's output, for an error message (never holds secrets: see callers). */
function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' / ');
}

async function connectWithSteps(o: SshTarget & { signal?: AbortSignal }, steps: Steps): Promise<SshSession> {
  const where = `${o.host}:${o.port ?? 22}`;
  steps.start(1, `connecting to ${where}`);
  const ssh = await connectSsh(o, {
    onHostKey: (fp, type) => {
      steps.done(1, `${where} answered`);
      steps.start(2, `${type} ${fp}`);
    },
    onVerified: (fp) => {
      steps.done(2, `${fp} matches the pinned fingerprint`);
      steps.start(3, `as ${o.username} with ${'password' in o.auth ? 'a password' : 'a private key'}`);
    },
  }, o.signal);
  steps.done(3, `logged in as ${o.username}`);
  return ssh;
}

async function runSteps<T>(steps: Steps, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const e = err instanceof SshInstallError ? err : new SshInstallError((err as Error).message, steps.current, { cause: err });
    // a failure during connect may come before the step that failed was started
    const n = Math.max(steps.current, 1);
    steps.fail(n, e.message);
    Object.assign(e, { steps: steps.reached() });
    throw e;
  }
}

/**
 * Installs the agent on `host` over SSH, reporting each step through onStep:
 * 1 connect, 2 verify the host key (against knownHostKey; unknown → HostKeyUnknownError with the
 * fingerprint to show, different → HostKeyChangedError, and nothing is sent), 3 authenticate,
 * 4 check the host (root or passwordless sudo, Debian, systemd, same CPU architecture), 5 upload
 * the agent bundle (tar.gz streamed into `tar -x` on the host), 6 run install-agent.sh (the join
 * token on its stdin), 7 wait for the agent to enroll (or explain from its journal why not).
 * Errors are SshInstallError (or a subclass) carrying `steps`; the temporary directory on the
 * host is removed whatever happens.
 */
export async function installAgentOverSsh(o: InstallAgentOptions): Promise<InstallResult> {
  const who = `${o.username}@${o.host}`;
  const steps = new Steps([
    `connect to ${o.host}:${o.port ?? 22}`,
    'verify the host key',
    'authenticate',
    'check the host',
    'upload the agent',
    'run install-agent.sh',
    o.waitForHost ? 'wait for the agent to enroll' : 'check that the agent runs',
  ], o.onStep);
  const signal = o.signal ?? new AbortController().signal;
  let ssh: SshSession | undefined;
  let tmp: string | undefined;
  let sudo: string[] = [];
  try {
    return await runSteps(steps, async () => {
      ssh = await connectWithSteps(o, steps);
      const session = ssh;

      steps.start(4);
      const host = await checkHost(session, who, signal);
      sudo = host.sudo;
      steps.done(4, host.summary);

      steps.start(5, 'making the bundle');
      const mk = await session.run([...sudo, 'mktemp', '-d', '/tmp/berth-install.XXXXXXXXXX'], { timeoutMs: 30_000, signal });
      const dir = mk.stdout.trim();
      if (mk.code !== 0 || !REMOTE_TMP.test(dir)) throw new SshInstallError(`${who}: mktemp -d failed: ${tail(mk.stderr || mk.stdout)}`);
      tmp = dir;
      const bundle = createAgentBundle(o.source, o.nodeBinary);
      const started = Date.now();
      let reported = 0;
      let upload;
      try {
        upload = await session.run([...sudo, 'tar', '-x', '-z', '-f', '-', '-C', dir, '--no-same-owner'], {
          stdin: bundle.stream,
          onStdinBytes: (n) => {
            if (n - reported >= 8e6) {
              reported = n;
              steps.progress(5, `${mb(n)} sent`);
            }
          },
          timeoutMs: 15 * 60_000,
          signal,
        });
      } finally {
        bundle.cancel();
      }
      if (upload.code !== 0) throw new SshInstallError(`${who}: unpacking the agent bundle in ${dir} failed (exit ${upload.code}): ${tail(upload.stderr)}`);
      await bundle.done;
      const size = await session.run(['du', '-sm', dir], { timeoutMs: 30_000, signal });
      steps.done(5, `bundle unpacked in ${dir} (${size.stdout.split(/\s/)[0] ?? '?'} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

      steps.start(6);
      const joinToken = typeof o.joinToken === 'string' ? o.joinToken : await o.joinToken();
      if (!joinToken || /[\r\n]/.test(joinToken)) throw new SshInstallError('the join token is empty or not one line');
      const args = [
        ...sudo, 'bash', `${dir}/src/infra/install/install-agent.sh`,
        '--source', `${dir}/src`, '--node', `${dir}/node/bin/node`,
        '--control-plane', o.controlPlaneUrl, '--name', o.hostName,
        '--join-token-file', '-',
        ...(o.allowInsecure ? ['--allow-insecure'] : []),
        ...(o.pinSha256 ? ['--pin-sha256', o.pinSha256] : []),
        ...(o.prefix ? ['--prefix', o.prefix] : []),
      ];
      const install = await session.run(args, {
        stdin: `${joinToken}\n`,
        onLine: (line) => {
          if (/^\[\d+\/\d+\] /.test(line)) steps.progress(6, line);
        },
        timeoutMs: 20 * 60_000,
        signal,
      });
      // exit 1: installed, but the unit was not active 2 s after its start (step 7 says why)
      if (install.code !== 0 && install.code !== 1) {
        throw new SshInstallError(`${who}: install-agent.sh failed (exit ${install.code}): ${tail(install.stderr || install.stdout)}`);
      }
      steps.done(6, install.code === 0 ? `installed in ${o.prefix ?? '/opt/berth'}, ${UNIT} enabled and started` : `installed in ${o.prefix ?? '/opt/berth'}; ${UNIT} is not active yet`);

      steps.start(7);
      if (o.waitForHost) {
        steps.done(7, await waitForEnrollment(session, who, sudo, o.waitForHost, o.enrollTimeoutMs ?? 120_000, signal));
      } else {
        await new Promise((r) => setTimeout(r, 3_000));
        const state = await agentState(session, sudo);
        if (state.failing) throw new SshInstallError(`${who}: the agent is installed but exits at start: ${await agentFailure(session, sudo)}`);
        steps.done(7, `${UNIT} is ${state.active}`);
      }
      return { fingerprint: session.fingerprint, steps: steps.reached() };
    });
  } finally {
    const s = ssh as SshSession | undefined;
    if (s && tmp) await s.run([...sudo, 'rm', '-rf', '--', tmp], { timeoutMs: 60_000 }).catch(() => {});
    s?.close();
  }
}

interface AgentState {
  active: string;
  restarts: number;
  /** Exited at least once, or gave up: it will not enroll by itself. */
  failing: boolean;
}

async function agentState(ssh: SshSession, sudo: string[]): Promise<AgentState> {
  const r = await ssh.run([...sudo, 'systemctl', 'show', UNIT, '-p', 'ActiveState', '-p', 'SubState', '-p', 'NRestarts'], { timeoutMs: 30_000 });
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(r.stdout)?.[1] ?? '';
  const restarts = Number(get('NRestarts')) || 0;
  const active = `${get('ActiveState')}/${get('SubState')}`;
  return { active, restarts, failing: restarts > 0 || get('ActiveState') === 'failed' || get('SubState') === 'auto-restart' };
}

/** Why the agent exits: its own one-line fatal message from the journal ("berth agent: …"). */
async function agentFailure(ssh: SshSession, sudo: string[]): Promise<string> {
  const r = await ssh.run([...sudo, 'journalctl', '-u', UNIT, '-n', '60', '--no-pager', '-o', 'cat'], { timeoutMs: 30_000 });
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.filter((l) => l.startsWith('berth agent:')).pop();
  return `${fatal ?? lines.pop() ?? 'no log lines'} (see: journalctl -u berth-agent -n 50 on the host)`;
}

async function waitForEnrollment(ssh: SshSession, who: string, sudo: string[], waitForHost: (s: AbortSignal) => Promise<unknown>, timeoutMs: number, outer: AbortSignal): Promise<string> {
  const stop = new AbortController();
  const onOuter = () => stop.abort();
  outer.addEventListener('abort', onOuter, { once: true });
  const started = Date.now();
  try {
    const enrolled = waitForHost(stop.signal).then(() => 'enrolled' as const);
    const watch = (async () => {
      // the agent exiting (e.g. no working OCI runtime) means it will never enroll: say why now
      while (!stop.signal.aborted) {
        await new Promise((r) => setTimeout(r, 1_000));
        if (stop.signal.aborted) break;
        const st = await agentState(ssh, sudo).catch(() => undefined);
        if (st?.failing) throw new SshInstallError(`${who}: the agent is installed but exits at start, so it cannot enroll: ${await agentFailure(ssh, sudo)}`);
        if (Date.now() - started > timeoutMs) {
          throw new SshInstallError(`${who}: the agent runs (${st?.active ?? 'state unknown'}) but did not enroll within ${Math.round(timeoutMs / 1000)} s: can the host reach the control plane? Its log: ${await agentFailure(ssh, sudo)}`);
        }
      }
      return 'stopped' as const;
    })();
    await Promise.race([enrolled, watch]);
    return `enrolled after ${((Date.now() - started) / 1000).toFixed(1)} s`;
  } finally {
    stop.abort();
    outer.removeEventListener('abort', onOuter);
  }
}

/**
 * Removes the agent from `host` over SSH with infra/install/uninstall-agent.sh of `source`
 * (streamed to `bash -s`, so the host's copy need not exist): 1-3 connect, verify, authenticate,
 * 4 check the host, 5 run the script, 6 confirm that the unit and configuration are gone.
 * Running containers keep running (KillMode=process). The caller revokes the host in berth.
 */
export async function uninstallAgentOverSsh(o: UninstallAgentOptions): Promise<InstallResult> {
  const who = `${o.username}@${o.host}`;
  const steps = new Steps([`connect to ${o.host}:${o.port ?? 22}`, 'verify the host key', 'authenticate', 'check the host', 'run uninstall-agent.sh', 'confirm the removal'], o.onStep);
  const signal = o.signal ?? new AbortController().signal;
  const script = await readFile(join(o.source, 'infra/install/uninstall-agent.sh'));
  let ssh: SshSession | undefined;
  try {
    return await runSteps(steps, async () => {
      ssh = await connectWithSteps(o, steps);
      const session = ssh;
      steps.start(4);
      const host = await checkHost(session, who, signal);
      steps.done(4, host.summary);

      steps.start(5);
      const r = await session.run([...host.sudo, 'bash', '-s', '--', ...(o.purge ? ['--purge'] : []), ...(o.prefix ? ['--prefix', o.prefix] : [])], {
        stdin: script,
        onLine: (line) => {
          if (/^\[\d+\/\d+\] /.test(line)) steps.progress(5, line);
        },
        timeoutMs: 10 * 60_000,
        signal,
      });
      if (r.code !== 0) throw new SshInstallError(`${who}: uninstall-agent.sh failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`);
      steps.done(5, r.stdout.trim().split('\n').find((l) => l.startsWith('berth agent removed')) ?? 'done');

      steps.start(6);
      const confirm = await session.run([...host.sudo, 'sh', '-c',
        'if systemctl cat berth-agent.service >/dev/null 2>&1; then echo left=unit; fi; if [ -e /etc/berth/agent.env ]; then echo left=/etc/berth/agent.env; fi; if [ -e "$1" ]; then echo "left=$1"; fi',
        'sh', o.prefix ?? '/opt/berth'], { timeoutMs: 30_000, signal });
      const left = confirm.stdout.split('\n').filter((l) => l.startsWith('left=')).map((l) => l.slice(5));
      if (left.length) throw new SshInstallError(`${who}: still there after uninstall-agent.sh: ${left.join(', ')}`);
      steps.done(6, `no unit, no configuration, no ${o.prefix ?? '/opt/berth'}${o.purge ? ', no /var/lib/berth' : '; /var/lib/berth kept'}`);
      return { fingerprint: session.fingerprint, steps: steps.reached() };
    });
  } finally {
    (ssh as SshSession | undefined)?.close();
  }
}
