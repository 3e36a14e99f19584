import { createServer } from 'node:https';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateNames, ensureCertificate } from './tls.ts';

describe("berth up's certificate", () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is made once for loopback and the bind address, serves TLS a client trusting the file accepts, and its pin is the agent’s', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    const c = await ensureCertificate(dir, certificateNames('10.9.8.7', ['berth.example.com']));
    expect(c.names).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', '10.9.8.7', 'berth.example.com']));
    expect((await stat(c.keyFile)).mode & 0o777).toBe(0o600);
    const server = createServer({ cert: await readFile(c.certFile), key: await readFile(c.keyFile) }, (_q, s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      // as the agent checks BERTH_PIN_SHA256: the SPKI's SHA-256 of what the server presents
      const seen = await new Promise<string>((resolve, reject) => {
        const s: TLSSocket = connect({ host: '127.0.0.1', port, ca: [], rejectUnauthorized: false }, () => {
          resolve(createHash('sha256').update(s.getPeerX509Certificate()!.publicKey.export({ format: 'der', type: 'spki' })).digest('base64'));
          s.end();
        });
        s.on('error', reject);
      });
      expect(seen).toBe(c.pinSha256);
      const handshake = (ca: Buffer | undefined) => new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ...(ca ? { ca } : {}) }, () => {
          resolve(s.authorized);
          s.end();
        });
        s.on('error', () => resolve(false));
      });
      // refused by a client of the system's CAs, accepted by one that trusts the file
      expect(await handshake(undefined)).toBe(false);
      const withCa = await handshake(await readFile(c.certFile));
      expect(withCa).toBe(true);
    } finally {
      server.close();
    }
  });

  it('is kept while it covers the names, and remade with the same key (the same pin) when a name is added', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    const a = await ensureCertificate(dir, certificateNames('127.0.0.1'));
    const made = (await stat(a.certFile)).mtimeMs;
    const b = await ensureCertificate(dir, certificateNames('127.0.0.1'));
    expect((await stat(b.certFile)).mtimeMs).toBe(made);
    const c = await ensureCertificate(dir, certificateNames('0.0.0.0', ['control.example.com']));
    expect(c.names).toContain('control.example.com');
    expect(c.pinSha256).toBe(a.pinSha256);
  });
});
