// berth host add --ssh user@addr[:port]   install the agent on a remote machine over SSH
// berth host uninstall --ssh user@addr    remove it the same way
//
// For now the CLI makes the SSH connection itself (installAgentOverSsh runs in this process) and
// talks to the control plane only for the join token and to see the host enroll. In the product
// the control plane makes it (addHostOverSsh in @berth/core, behind a tRPC procedure), so that the
// dashboard can add hosts too; this command would then call that procedure instead.
import { readFile, writeFile, mkdir, chmod } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  HostKeyUnknownError,
  SshInstallError,
  installAgentOverSsh,
  parseFingerprint,
  uninstallAgentOverSsh,
  type InstallStep,
  type SshAuth,
} from '@berth/core/ssh-install/index';
import { apiClient, explain, type Api } from '../client.ts';
import { readConfig } from '../config.ts';
import { pinOf } from '../local/tls.ts';
import type { CliEnv } from '../env.ts';
import { UserError } from '../errors.ts';

/** The checkout this CLI runs from: what gets bundled and installed. */
export const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export const HOST_SSH_USAGE = `Usage:
  berth host add --ssh USER@ADDRESS[:PORT] [--name NAME] [--identity FILE | --password-stdin]
                 [--accept-fingerprint SHA256:...] [--control-plane URL] [--allow-insecure]
                 [--pin-sha256 PIN]
  berth host uninstall --ssh USER@ADDRESS[:PORT] [--identity FILE | --password-stdin]
                 [--accept-fingerprint SHA256:...] [--purge]

Installs (or removes) the berth agent on a Debian 12 machine over SSH: verifies its host key,
uploads the agent with its own node, runs infra/install/install-agent.sh there with a fresh
single-use join token, and waits for the host to enroll. USER is root, or a user with
passwordless sudo. The password or key is used for this connection only and never stored.

  --ssh USER@ADDRESS[:PORT]   where to connect (IPv6: root@[2001:db8::1]:22)
  --name NAME                 the host's name in berth (default: derived from ADDRESS)
  --identity FILE             log in with this private key (with --password-stdin: its passphrase)
  --password-stdin            read the password from the first line of stdin
  --accept-fingerprint FP     the host key fingerprint you checked on the host
                              (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub); accepted
                              fingerprints are kept in known_hosts next to the CLI config
  --control-plane URL         the URL the agent dials (default: the configured URL, ws(s)://…/agent)
  --allow-insecure            let the agent use plain ws:// to a non-loopback control plane
  --pin-sha256 PIN            pin the control plane certificate's public key on the agent
  --purge                     (uninstall) also remove /var/lib/berth: images, containers, key
`;

export interface HostSshIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdinIsTty: boolean;
  readStdin: () => Promise<string>;
  ask: (question: string) => Promise<string>;
  askHidden: (question: string) => Promise<string>;
}

const defaultIo = (): HostSshIo => ({
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stdinIsTty: !!process.stdin.isTTY,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  ask: async (q) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(q);
    } finally {
      rl.close();
    }
  },
  askHidden: (q) => readHidden(q),
});

/** A password prompt that does not echo (stdin must be a TTY). */
function readHidden(question: string): Promise<string> {
  return new Promise((resolvePrompt, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolvePrompt(value);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UserError('cancelled', 130));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export interface SshAddress {
  username: string;
  host: string;
  port: number;
}

/** USER@ADDRESS[:PORT], with [IPv6] in brackets; USER defaults to root. */
export function parseSshAddress(text: string): SshAddress {
  const m = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^@:\s[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw new UserError(`--ssh ${JSON.stringify(text)}: expected USER@ADDRESS[:PORT], e.g. root@192.0.2.10 or admin@web-1.example.com:2222`);
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) throw new UserError(`--ssh ${text}: port ${port} is out of range`);
  const username = m[1] ?? 'root';
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(username)) throw new UserError(`--ssh ${text}: ${JSON.stringify(username)} is not a user name`);
  return { username, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

/** A berth host name from an address: web-1.example.com → web-1, 192.0.2.10 → host-192-0-2-10. */
export function defaultHostName(host: string): string {
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return `host-${host.replace(/[^0-9a-fA-F]+/g, '-').toLowerCase()}`.replace(/-+$/, '').slice(0, 63);
  return (host.split('.')[0] ?? host).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'host';
}

/** ws(s)://…/agent for an http(s):// control plane URL. */
export function agentUrlFor(apiUrl: string): string {
  const u = new URL(apiUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/$/, '')}/agent`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

// --- known_hosts: "host:port SHA256:…" per line, next to the CLI config ------------------------

const keyOf = (a: SshAddress) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

export async function readKnownHost(file: string, a: SshAddress): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [k, fp] = line.trim().split(/\s+/);
    if (k === keyOf(a) && fp) return fp;
  }
  return undefined;
}

export async function writeKnownHost(file: string, a: SshAddress, fingerprint: string): Promise<void> {
  let lines: string[] = [];
  try {
    lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() && l.trim().split(/\s+/)[0] !== keyOf(a));
  } catch {
    // first entry
  }
  lines.push(`${keyOf(a)} ${fingerprint}`);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, lines.join('\n') + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
}

// --- the command -------------------------------------------------------------------------------

function stepPrinter(io: HostSshIo): (s: InstallStep) => void {
  let open: number | undefined; // the step whose "[n/t] title … " line awaits its end
  let progressed = false;
  return (s) => {
    const head = `[${s.n}/${s.total}] ${s.title} …`;
    if (s.status === 'running' && open !== s.n) {
      if (open !== undefined) io.stdout('\n');
      io.stdout(head);
      open = s.n;
      progressed = false;
      if (!s.detail) return;
    }
    if (s.status === 'running') {
      io.stdout(`${progressed ? '' : '\n'}      ${s.detail ?? ''}\n`);
      progressed = true;
      return;
    }
    const word = s.status === 'done' ? 'done' : 'failed';
    io.stdout(`${progressed || open !== s.n ? head : ''} ${word}${s.detail && s.status === 'done' ? ` (${s.detail})` : ''}\n`);
    open = undefined;
    progressed = false;
  };
}

/** `berth host add|uninstall …`: argv starts after `host`. Returns the exit code. */
export async function hostSshMain(argv: string[], env: CliEnv, io: HostSshIo = defaultIo()): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ssh: { type: 'string' },
      name: { type: 'string' },
      identity: { type: 'string', short: 'i' },
      'password-stdin': { type: 'boolean' },
      'accept-fingerprint': { type: 'string' },
      'control-plane': { type: 'string' },
      'allow-insecure': { type: 'boolean' },
      'pin-sha256': { type: 'string' },
      purge: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const verb = positionals[0];
  if (values.help || (verb !== 'add' && verb !== 'uninstall')) {
    io.stdout(HOST_SSH_USAGE);
    return values.help ? 0 : 1;
  }
  if (positionals.length > 1) throw new UserError(`unexpected argument ${JSON.stringify(positionals[1])}: see berth host ${verb} --help`);
  if (!values.ssh) throw new UserError(`berth host ${verb} needs --ssh USER@ADDRESS (see berth host ${verb} --help)`);
  const address = parseSshAddress(values.ssh);
  const knownHostsFile = join(dirname(env.BERTH_CONFIG), 'known_hosts');

  const auth = await readAuth(values.identity, !!values['password-stdin'], address, io);
  let knownHostKey: string | undefined;
  if (values['accept-fingerprint'] !== undefined) {
    try {
      knownHostKey = parseFingerprint(values['accept-fingerprint']);
    } catch (err) {
      throw new UserError(`--accept-fingerprint: ${(err as Error).message}`);
    }
  } else {
    knownHostKey = await readKnownHost(knownHostsFile, address);
  }

  const target = { host: address.host, port: address.port, username: address.username, auth };
  const print = stepPrinter(io);
  let pinning: string | undefined;
  const onStep = (s: InstallStep) => {
    print(s);
    // the key matched what the user accepted: pin it now, whatever happens in later steps
    if (s.n === 2 && s.status === 'done' && pinning) void writeKnownHost(knownHostsFile, address, pinning).catch(() => {});
  };
  const attempt = async (pinned: string | undefined): Promise<string> => {
    pinning = pinned;
    if (verb === 'uninstall') {
      const r = await uninstallAgentOverSsh({ ...target, ...(pinned ? { knownHostKey: pinned } : {}), source: SOURCE_ROOT, purge: !!values.purge, onStep });
      return r.fingerprint;
    }
    const api = await apiClient(env);
    const hostName = values.name ?? defaultHostName(address.host);
    const controlPlaneUrl = values['control-plane'] ?? agentUrlFor(await configuredUrl(env));
    // a control plane with its own certificate (berth up's): the new agent pins its key
    const pin = values['pin-sha256'] ?? (controlPlaneUrl.startsWith('wss:') ? await configuredPin(env) : undefined);
    const r = await installAgentOverSsh({
      ...target,
      ...(pinned ? { knownHostKey: pinned } : {}),
      controlPlaneUrl,
      hostName,
      source: SOURCE_ROOT,
      ...(values['allow-insecure'] ? { allowInsecure: true } : {}),
      ...(pin ? { pinSha256: pin } : {}),
      joinToken: async () => (await api.hosts.createJoinToken.mutate({ hostName, maxUses: 1, ttlSeconds: 900 })).token,
      waitForHost: (signal) => waitForEnrollment(api, hostName, signal),
      onStep,
    });
    return r.fingerprint;
  };

  let fingerprint: string;
  try {
    try {
      fingerprint = await attempt(knownHostKey);
    } catch (err) {
      if (!(err instanceof HostKeyUnknownError)) throw err;
      if (!io.stdinIsTty) {
        throw new UserError(`${err.message}.\nIf it is the right host, run this again with --accept-fingerprint ${err.fingerprint}`);
      }
      io.stderr(`The host key of ${err.host}:${err.port} is not known yet.\n  ${err.keyType} fingerprint: ${err.fingerprint}\nCompare it with \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` on the host.\n`);
      const answer = (await io.ask('Accept? [y/N] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') throw new UserError('host key not accepted: nothing was installed');
      await writeKnownHost(knownHostsFile, address, err.fingerprint);
      fingerprint = await attempt(err.fingerprint);
    }
  } catch (err) {
    if (err instanceof SshInstallError) throw new UserError(err.message);
    throw explain(err, env);
  }
  await writeKnownHost(knownHostsFile, address, fingerprint);
  io.stdout(verb === 'add' ? `host ${values.name ?? defaultHostName(address.host)} added (host key ${fingerprint} pinned in ${knownHostsFile})\n` : `agent removed from ${address.host}\n`);
  return 0;
}

/** The key of the certificate the CLI trusts for its control plane (BERTH_CA_FILE or berth up's), as a pin. */
async function configuredPin(env: CliEnv): Promise<string | undefined> {
  const caFile = env.BERTH_CA_FILE ?? (env.BERTH_URL ? undefined : (await readConfig(env.BERTH_CONFIG))?.caFile);
  if (!caFile) return undefined;
  return pinOf(await readFile(caFile)).pin;
}

async function configuredUrl(env: CliEnv): Promise<string> {
  const url = env.BERTH_URL ?? (await readConfig(env.BERTH_CONFIG))?.url;
  if (!url) throw new UserError('no control plane configured: set BERTH_URL, or give --control-plane wss://…/agent');
  return url;
}

async function readAuth(identity: string | undefined, passwordStdin: boolean, a: SshAddress, io: HostSshIo): Promise<SshAuth> {
  const firstLine = async () => {
    const text = await io.readStdin();
    const line = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
    if (!line) throw new UserError('--password-stdin: stdin is empty');
    return line;
  };
  if (identity) {
    let privateKey: Buffer;
    try {
      privateKey = await readFile(identity);
    } catch (err) {
      throw new UserError(`--identity ${identity}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const encrypted = /ENCRYPTED|bcrypt/.test(privateKey.toString('latin1')) && privateKey.toString('latin1').includes('PRIVATE KEY');
    if (passwordStdin) return { privateKey, passphrase: await firstLine() };
    if (encrypted && io.stdinIsTty) return { privateKey, passphrase: await io.askHidden(`Passphrase for ${identity}: `) };
    return { privateKey };
  }
  if (passwordStdin) return { password: await firstLine() };
  if (io.stdinIsTty) return { password: await io.askHidden(`${a.username}@${a.host}'s password: `) };
  throw new UserError('give --identity FILE (a private key) or --password-stdin (the password on stdin)');
}

/** Polls the API until the host has enrolled. */
async function waitForEnrollment(api: Api, hostName: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const h = await api.hosts.get.query({ host: hostName }).catch(() => null);
    if (h?.enrolledAt) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
