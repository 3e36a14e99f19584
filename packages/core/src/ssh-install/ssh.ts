// A small SSH session on top of ssh2: connect with host key verification against a pinned
// fingerprint, then run argv-built commands with optional stdin. Never logs credentials.
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Readable } from 'node:stream';
import { HostKeyChangedError, HostKeyUnknownError, SshInstallError } from './errors.ts';
import { fingerprintOf, parseFingerprint } from './fingerprint.ts';
import { remoteCommand } from './quote.ts';

export type SshAuth = { password: string } | { privateKey: string | Buffer; passphrase?: string };

export interface SshTarget {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Used for this connection only; never stored or logged. */
  auth: SshAuth;
  /** The `SHA256:...` fingerprint accepted earlier. Without it, connecting fails with HostKeyUnknownError. */
  knownHostKey?: string;
  /** TCP connect + handshake + authentication timeout; default 20 s. */
  readyTimeoutMs?: number;
}

export interface ConnectProgress {
  /** TCP is up and the host presented its key (before it is checked). */
  onHostKey?(fingerprint: string, keyType: string): void;
  /** The key matched the pinned fingerprint; authentication starts. */
  onVerified?(fingerprint: string): void;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. A stream is piped. */
  stdin?: string | Buffer | Readable;
  /** Called for every complete line of stdout and stderr as it arrives. */
  onLine?(line: string, stream: 'stdout' | 'stderr'): void;
  /** Called with the number of stdin bytes written so far (for uploads). */
  onStdinBytes?(bytes: number): void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

export interface SshSession {
  readonly fingerprint: string;
  /** Runs argv on the host (each argument single-quoted for its shell) and waits for it. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  close(): void;
}

/** The key type named at the start of an SSH public key blob (string: uint32 length + bytes). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

const MAX_OUTPUT = 256 * 1024;

export async function connectSsh(target: SshTarget, progress: ConnectProgress = {}, signal?: AbortSignal): Promise<SshSession> {
  const port = target.port ?? 22;
  const pinned = target.knownHostKey ? parseFingerprint(target.knownHostKey) : undefined;
  const client = new Client();
  let keyError: SshInstallError | undefined;
  let fingerprint = '';
  const config: ConnectConfig = {
    host: target.host,
    port,
    username: target.username,
    readyTimeout: target.readyTimeoutMs ?? 20_000,
    // no agent forwarding, no keyboard-interactive prompts nobody can answer
    tryKeyboard: false,
    hostVerifier: (key: Buffer) => {
      fingerprint = fingerprintOf(key);
      const type = keyTypeOf(key);
      progress.onHostKey?.(fingerprint, type);
      if (!pinned) {
        keyError = new HostKeyUnknownError(target.host, port, fingerprint, type);
        return false;
      }
      if (pinned !== fingerprint) {
        keyError = new HostKeyChangedError(target.host, port, pinned, fingerprint);
        return false;
      }
      progress.onVerified?.(fingerprint);
      return true;
    },
  };
  if ('password' in target.auth) config.password = target.auth.password;
  else {
    config.privateKey = target.auth.privateKey;
    if (target.auth.passphrase !== undefined) config.passphrase = target.auth.passphrase;
  }

  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      client.end();
      reject(new SshInstallError(`connecting to ${target.host}:${port}: cancelled`));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    client.once('error', (err: Error & { level?: string }) => {
      signal?.removeEventListener('abort', onAbort);
      client.end();
      if (keyError) return reject(keyError);
      reject(describeConnectError(err, target, port, fingerprint !== ''));
    });
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously on a private key it cannot parse (or decrypt)
      reject(new SshInstallError(`the private key cannot be used: ${(err as Error).message.replace(/\s+/g, ' ')}${'passphrase' in target.auth ? '' : ' (is it encrypted? give its passphrase)'}`, 3));
    }
  });

  return {
    fingerprint,
    run: (argv, options = {}) => run(client, `${target.username}@${target.host}`, argv, options),
    close: () => client.end(),
  };
}

function describeConnectError(err: Error & { level?: string; code?: string }, target: SshTarget, port: number, handshaken: boolean): SshInstallError {
  const where = `${target.host}:${port}`;
  if (err.level === 'client-authentication') {
    const how = 'password' in target.auth ? 'the password' : 'the private key';
    return new SshInstallError(`${target.username}@${where} refused ${how}: check the user name and ${how} (and that sshd allows this login method${target.username === 'root' ? ', e.g. PermitRootLogin' : ''})`, 3);
  }
  if (err.level === 'client-timeout') return new SshInstallError(`${where} did not complete the SSH handshake in time: is it an SSH server, and reachable from here?`, handshaken ? 3 : 1);
  if (err.code === 'ECONNREFUSED') return new SshInstallError(`${where} refused the connection: is sshd running there, on port ${port}?`, 1);
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ETIMEDOUT') return new SshInstallError(`${where} is unreachable from here (${err.code})`, 1);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new SshInstallError(`cannot resolve ${target.host} (${err.code})`, 1);
  return new SshInstallError(`SSH to ${where}: ${err.message}`, handshaken ? 3 : 1, { cause: err });
}

function run(client: Client, who: string, argv: readonly string[], o: RunOptions): Promise<RunResult> {
  const command = remoteCommand(argv);
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel: ClientChannel) => {
      if (err) return reject(new SshInstallError(`${who}: cannot run ${argv[0]}: ${err.message}`));
      let stdout = '';
      let stderr = '';
      const partial = { stdout: '', stderr: '' };
      const take = (which: 'stdout' | 'stderr') => (d: Buffer) => {
        const text = d.toString('utf8');
        if (which === 'stdout') stdout = (stdout + text).slice(-MAX_OUTPUT);
        else stderr = (stderr + text).slice(-MAX_OUTPUT);
        if (!o.onLine) return;
        const lines = (partial[which] + text).split('\n');
        partial[which] = lines.pop() ?? '';
        for (const l of lines) o.onLine(l.replace(/\r$/, ''), which);
      };
      channel.on('data', take('stdout'));
      channel.stderr.on('data', take('stderr'));
      let timer: NodeJS.Timeout | undefined;
      let exit: { code: number; signal?: string } | undefined;
      const stop = (why: string) => {
        channel.close();
        reject(new SshInstallError(`${who}: ${argv[0]} ${why}`));
      };
      if (o.timeoutMs) timer = setTimeout(() => stop(`did not finish within ${Math.round(o.timeoutMs! / 1000)} s`), o.timeoutMs);
      const onAbort = () => stop('was cancelled');
      o.signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('exit', (code: number | null, sig?: string) => {
        exit = { code: code ?? (sig ? 128 : 1), ...(sig ? { signal: sig } : {}) };
      });
      channel.on('close', () => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        for (const which of ['stdout', 'stderr'] as const) if (o.onLine && partial[which]) o.onLine(partial[which], which);
        resolve({ ...(exit ?? { code: 255 }), stdout, stderr });
      });
      const input = o.stdin;
      if (input === undefined) channel.end();
      else if (typeof input === 'string' || Buffer.isBuffer(input)) channel.end(input);
      else {
        let sent = 0;
        input.on('data', (d: Buffer) => {
          sent += d.length;
          o.onStdinBytes?.(sent);
        });
        input.on('error', (e) => stop(`: its input failed: ${e.message}`));
        input.pipe(channel);
      }
    });
  });
}
