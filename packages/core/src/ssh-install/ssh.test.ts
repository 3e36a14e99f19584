// connectSsh against an in-process ssh2 server on 127.0.0.1: host key pinning and what reaches
// the server (the exact command line, stdin), with no real host involved.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server, utils } from 'ssh2';
import { HostKeyChangedError, HostKeyUnknownError, SshInstallError } from './errors.ts';
import { fingerprintOf } from './fingerprint.ts';
import { connectSsh } from './ssh.ts';

const PASSWORD = "pa ss'wo\"rd";

describe('connectSsh', () => {
  const hostKey = utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(hostKey.public);
  if (parsed instanceof Error) throw parsed;
  const fingerprint = fingerprintOf(parsed.getPublicSSH());
  const seen = { auths: 0, commands: [] as string[], stdin: [] as string[] };
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = new Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on('error', () => {});
      client.on('authentication', (ctx) => {
        seen.auths++;
        if (ctx.method === 'password' && ctx.username === 'root' && ctx.password === PASSWORD) ctx.accept();
        else ctx.reject(['password']);
      });
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          seen.commands.push(info.command);
          const ch = acceptExec();
          let input = '';
          ch.on('data', (d: Buffer) => (input += d.toString()));
          ch.on('end', () => {
            seen.stdin.push(input);
            ch.write(`ran: ${info.command}\n`);
            ch.stderr.write('a warning\n');
            ch.exit(3);
            ch.end();
          });
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const target = () => ({ host: '127.0.0.1', port, username: 'root', auth: { password: PASSWORD } });

  it('fails with HostKeyUnknownError carrying the fingerprint when nothing is pinned, before authenticating', async () => {
    const before = seen.auths;
    const err = await connectSsh(target()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyUnknownError);
    expect((err as HostKeyUnknownError).fingerprint).toBe(fingerprint);
    expect((err as HostKeyUnknownError).keyType).toBe('ssh-ed25519');
    expect((err as Error).message).not.toContain(PASSWORD);
    expect(seen.auths).toBe(before);
  });

  it('refuses a changed host key with HostKeyChangedError, before authenticating', async () => {
    const before = seen.auths;
    const pinned = `SHA256:${'B'.repeat(43)}`;
    const err = await connectSsh({ ...target(), knownHostKey: pinned }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyChangedError);
    expect((err as Error).message).toContain(`pinned as ${pinned} but the host now presents ${fingerprint}`);
    expect(seen.auths).toBe(before);
  });

  it('connects with the pinned key and runs argv as one quoted command line, with stdin and line callbacks', async () => {
    const s = await connectSsh({ ...target(), knownHostKey: fingerprint });
    try {
      expect(s.fingerprint).toBe(fingerprint);
      const lines: string[] = [];
      const r = await s.run(['bash', '/tmp/x y/install.sh', '--name', "it's", '--join-token-file', '-'], { stdin: 'tok\n', onLine: (l, w) => lines.push(`${w}:${l}`) });
      expect(seen.commands.at(-1)).toBe(`bash '/tmp/x y/install.sh' --name 'it'\\''s' --join-token-file -`);
      expect(seen.stdin.at(-1)).toBe('tok\n');
      expect(r.code).toBe(3);
      expect(lines).toContain('stderr:a warning');
      expect(lines.some((l) => l.startsWith('stdout:ran: bash'))).toBe(true);
    } finally {
      s.close();
    }
  });

  it('says which credential was refused, without repeating it', async () => {
    const err = await connectSsh({ ...target(), auth: { password: 'wrong-secret' }, knownHostKey: fingerprint }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SshInstallError);
    expect((err as Error).message).toMatch(/root@127\.0\.0\.1:\d+ refused the password/);
    expect((err as Error).message).not.toContain('wrong-secret');
  });

  it('says when nothing listens', async () => {
    const err = await connectSsh({ ...target(), port: 1, knownHostKey: fingerprint }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/refused the connection: is sshd running there/);
  });
});
