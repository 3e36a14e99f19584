// TLS for `berth up`: a self-signed certificate for the control plane, made once with openssl
// (argument arrays, nothing through a shell) and kept in the control dir. Agents on other
// machines pin its public key (BERTH_PIN_SHA256) or trust the file (BERTH_CA_FILE); the CLI
// trusts it through its config.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../errors.ts';

const run = promisify(execFile);

export interface ControlPlaneCertificate {
  certFile: string;
  keyFile: string;
  /** base64 SHA-256 of the public key (SPKI DER), as the agent's BERTH_PIN_SHA256 compares it */
  pinSha256: string;
  /** the names and addresses the certificate is valid for */
  names: string[];
}

/** localhost, the loopback addresses, this machine's name, and the bind address and extra names given. */
export function certificateNames(bind: string, extra: string[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname(), ...(bind === '0.0.0.0' || bind === '::' ? [] : [bind]), ...extra];
  return [...new Set(names.map((n) => canonical(n.trim())).filter(Boolean))];
}

/** IPv6 addresses in one spelling (openssl prints ::1 as 0:0:0:0:0:0:0:1). */
const canonical = (n: string) => (isIP(n) === 6 ? new URL(`http://[${n}]`).hostname.slice(1, -1) : n);

export const subjectAltName = (names: string[]) => names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');

export function pinOf(certPem: string | Buffer): { pin: string; names: string[] } {
  const cert = new X509Certificate(certPem);
  const pin = createHash('sha256').update(cert.publicKey.export({ format: 'der', type: 'spki' })).digest('base64');
  const names = (cert.subjectAltName ?? '').split(', ').map((e) => canonical(e.replace(/^(DNS|IP Address):/, ''))).filter(Boolean);
  return { pin, names };
}

/**
 * The control plane's certificate, made when missing or when it does not cover a name asked
 * for now (the key is kept then, so agents that pinned it keep connecting).
 */
export async function ensureCertificate(controlDir: string, names: string[]): Promise<ControlPlaneCertificate> {
  const dir = join(controlDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await readFile(certFile).then((b) => pinOf(b), () => null);
  if (existing && names.every((n) => existing.names.includes(n))) return { certFile, keyFile, pinSha256: existing.pin, names: existing.names };
  const haveKey = await readFile(keyFile).then(() => true, () => false);
  try {
    if (!haveKey) await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    await chmod(keyFile, 0o600);
    const all = [...new Set([...(existing?.names ?? []), ...names])];
    await run('openssl', ['req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', '825', '-subj', '/CN=berth control plane', '-addext', `subjectAltName=${subjectAltName(all)}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth', '-out', certFile]);
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new UserError('berth up --tls needs openssl to make its certificate: apt-get install openssl');
    throw new UserError(`cannot make the control plane's certificate in ${dir}: ${(e.stderr ?? e.message).trim()}`);
  }
  const made = pinOf(await readFile(certFile));
  return { certFile, keyFile, pinSha256: made.pin, names: made.names };
}
