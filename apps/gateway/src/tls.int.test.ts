import { spawn, execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJoinToken, systemActor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, nodeArgs, startGateway, type RunningGateway } from '@berth/testing/fleet';
import { findCgroups, removeCgroupTree } from '@berth/testing/lab';

const run = promisify(execFile);

describe('agents over TLS: a CA file or a pinned key, never an unverified certificate', () => {
  const t = useTestDatabase();
  let dir = '';
  let gw: RunningGateway;
  let pin = '';
  const agents: ReturnType<typeof spawn>[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=berth-test', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
    const pem = await readFile(cert);
    pin = createHash('sha256').update(new X509Certificate(pem).publicKey.export({ format: 'der', type: 'spki' })).digest('base64');
    gw = await startGateway({ databaseUrl: t().url, tls: { certFile: cert, keyFile: key, ca: pem } });
  });
  afterAll(async () => {
    for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
    // the agents' runtime probes and engines made cgroups under their parent
    for (const cg of findCgroups(`berth-tls-${process.pid}`)) removeCgroupTree(cg);
  });

  const startAgent = async (name: string, env: Record<string, string>) => {
    const jt = await createJoinToken(systemActor(), { hostName: name }, t().db);
    const log: string[] = [];
    const a = spawn(process.execPath, nodeArgs('agent'), {
      env: { ...process.env, BERTH_CONTROL_PLANE: gw.wsUrl, BERTH_HOST_NAME: name, BERTH_JOIN_TOKEN: jt.token, BERTH_STATE_DIR: join(dir, name), BERTH_CGROUP_PARENT: `berth-tls-${process.pid}`, BERTH_BRIDGE: 'none' /* no container networking needed here */, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    a.stderr!.on('data', (d) => log.push(String(d)));
    agents.push(a);
    return { jt, log: () => log.join('') };
  };
  const status = async (name: string) => (await t().db.host.findUnique({ where: { name } }))?.status;

  it('enrolls an agent that trusts the CA file', async () => {
    await startAgent('with-ca', { BERTH_CA_FILE: join(dir, 'cert.pem') });
    await eventually(async () => (await status('with-ca')) === 'online', 'with-ca online');
  });

  it('enrolls an agent that pins the certificate key', async () => {
    await startAgent('with-pin', { BERTH_PIN_SHA256: pin });
    await eventually(async () => (await status('with-pin')) === 'online', 'with-pin online');
  });

  it('refuses to talk to a server whose key does not match the pin, or whose certificate it cannot verify', async () => {
    const wrongPin = await startAgent('wrong-pin', { BERTH_PIN_SHA256: Buffer.alloc(32, 1).toString('base64') });
    const unverified = await startAgent('unverified', {});
    await eventually(async () => /does not match the pinned key/.test(wrongPin.log()) && /self[- ]signed/i.test(unverified.log()), 'both refusals logged', 15_000);
    // neither said hello: their join tokens are unused and no host exists
    expect(await status('wrong-pin')).toBeUndefined();
    expect(await status('unverified')).toBeUndefined();
    const tokens = await t().db.joinToken.findMany({ where: { hostName: { in: ['wrong-pin', 'unverified'] } } });
    expect(tokens.map((x) => x.uses)).toEqual([0, 0]);
  });
});
