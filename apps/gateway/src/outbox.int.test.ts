import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiToken, createJoinToken, createUser, OutboxRequester, systemActor, type Actor } from '@berth/core';
import { Notifier } from '@berth/db';
import { challengePayload, PROTOCOL_VERSION } from '@berth/protocol';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, nodeArgs, runCli, startGateway, type RunningGateway } from '@berth/testing/fleet';
import { findCgroups, removeCgroupTree } from '@berth/testing/lab';

interface Req { id: string; op: string; idempotencyKey?: string }

/** A scripted agent: answers the handshake with a real key, then lets the test decide. */
function scriptedAgent(url: string, key: { pub: string; sign(n: string): string }, enroll?: { joinToken: string; hostName: string }) {
  const ws = new WebSocket(url);
  const requests: Req[] = [];
  let onRequest: ((r: Req) => void) | null = null;
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; nonce?: string } & Req;
      if (m.type === 'challenge') ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'scripted', publicKey: key.pub, signature: key.sign(m.nonce!), ...(enroll ? { enroll } : {}) }));
      if (m.type === 'welcome') resolve();
      if (m.type === 'refused') reject(new Error(JSON.stringify(m)));
      if (m.type === 'request') {
        requests.push(m);
        onRequest?.(m);
      }
    });
    ws.once('error', reject);
  });
  const nextRequest = () => new Promise<Req>((r) => (requests.length ? r(requests.shift()!) : (onRequest = (x) => (requests.shift(), (onRequest = null), r(x)))));
  const answer = (req: Req, result: unknown) => ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'response', id: req.id, ok: true, result }));
  return { ws, welcomed, nextRequest, answer };
}

const keyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return { pub, sign: (nonce: string) => sign(null, challengePayload(nonce, pub), privateKey).toString('base64') };
};

describe('the command outbox: commands reach a host through any gateway, once', () => {
  const t = useTestDatabase();
  let a: RunningGateway;
  let b: RunningGateway;
  let admin: Actor;
  let notifier: Notifier;
  let requester: OutboxRequester;

  beforeAll(async () => {
    [a, b] = await Promise.all([startGateway({ databaseUrl: t().url }), startGateway({ databaseUrl: t().url })]);
    const u = await createUser(systemActor(), { username: 'ops', password: 'a-long-password', role: 'admin' }, t().db);
    admin = { kind: 'user', id: u.id, name: u.username, role: 'admin', source: 'cli', remoteAddr: null };
    notifier = new Notifier(t().url);
    await notifier.start();
    requester = new OutboxRequester(t().db, notifier);
  });
  afterAll(async () => {
    await notifier?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('carries a CLI call made on gateway A to an agent connected to gateway B, and a revocation too', async () => {
    const state = await mkdtemp(join(tmpdir(), 'berth-outbox-agent-'));
    const jt = await createJoinToken(admin, { hostName: 'far' }, t().db);
    const agent = spawn(process.execPath, nodeArgs('agent'), {
      env: { ...process.env, BERTH_CONTROL_PLANE: b.wsUrl, BERTH_HOST_NAME: 'far', BERTH_JOIN_TOKEN: jt.token, BERTH_STATE_DIR: state, BERTH_CGROUP_PARENT: `berth-outbox-${process.pid}`, BERTH_BRIDGE: 'none' /* no container networking needed here */ },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let agentLog = '';
    agent.stderr!.on('data', (d) => (agentLog += d));
    try {
      await eventually(async () => (await t().db.host.findUnique({ where: { name: 'far' } }))?.status === 'online', 'far online').catch((err: Error) => {
        throw new Error(`${err.message}\n${agentLog}`);
      });
      const token = await createApiToken(admin, { name: 'cli' }, t().db);
      const env = { BERTH_URL: a.url, BERTH_TOKEN: token.token, BERTH_CONFIG: '/nonexistent' };
      const info = await runCli(['-H', 'far', 'info', '--format', 'json'], env);
      expect(info.code, info.stderr).toBe(0);
      expect(JSON.parse(info.stdout)).toMatchObject({ stateDir: state });
      const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
      const revoke = await runCli(['host', 'revoke', 'far'], env);
      expect(revoke.code, revoke.stderr).toBe(0);
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r(`still running:\n${agentLog}\n${a.log()}\n${b.log()}`), 10_000))])).toBe(1);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
      await rm(state, { recursive: true, force: true });
      // the agent's runtime probe and engine made cgroups under its parent
      for (const cg of findCgroups(`berth-outbox-${process.pid}`)) removeCgroupTree(cg);
    }
  });

  it('sends an unanswered command again after a reconnect, under the same idempotency key', async () => {
    const key = keyPair();
    const jt = await createJoinToken(admin, { hostName: 'flaky' }, t().db);
    const first = scriptedAgent(a.wsUrl, key, { joinToken: jt.token, hostName: 'flaky' });
    await first.welcomed;
    const host = await t().db.host.findUniqueOrThrow({ where: { name: 'flaky' } });
    const pending = requester.request(host.id, 'system.ping', {}, { timeoutMs: 20_000 });
    const r1 = await first.nextRequest();
    first.ws.terminate(); // the connection drops before the answer
    const second = scriptedAgent(b.wsUrl, key); // and the agent comes back through the other gateway
    await second.welcomed;
    const r2 = await second.nextRequest();
    expect(r2.op).toBe('system.ping');
    expect(r2.idempotencyKey).toBe(r1.idempotencyKey);
    expect(r2.id).not.toBe(r1.id);
    second.answer(r2, { pong: true, at: 42 });
    expect(await pending).toEqual({ pong: true, at: 42 });
    const row = await t().db.command.findUniqueOrThrow({ where: { id: r1.idempotencyKey! } });
    expect(row).toMatchObject({ status: 'done', attempts: 2 });
    second.ws.close();
  });

  it('survives the crash of the gateway that sent the command', async () => {
    const c = await startGateway({ databaseUrl: t().url });
    const key = keyPair();
    const jt = await createJoinToken(admin, { hostName: 'orphan' }, t().db);
    const agent = scriptedAgent(c.wsUrl, key, { joinToken: jt.token, hostName: 'orphan' });
    await agent.welcomed;
    const host = await t().db.host.findUniqueOrThrow({ where: { name: 'orphan' } });
    const pending = requester.request(host.id, 'system.ping', {}, { timeoutMs: 20_000 });
    const r1 = await agent.nextRequest();
    c.process.kill('SIGKILL');
    await new Promise((r) => agent.ws.once('close', r));
    const back = scriptedAgent(a.wsUrl, key);
    await back.welcomed;
    const r2 = await back.nextRequest();
    expect(r2.idempotencyKey).toBe(r1.idempotencyKey);
    back.answer(r2, { pong: true, at: 7 });
    expect(await pending).toEqual({ pong: true, at: 7 });
    back.ws.close();
  });

  it('times out with a clear error when the host never answers, and does not deliver it late', async () => {
    const key = keyPair();
    const jt = await createJoinToken(admin, { hostName: 'mute' }, t().db);
    const mute = scriptedAgent(a.wsUrl, key, { joinToken: jt.token, hostName: 'mute' });
    await mute.welcomed;
    const host = await t().db.host.findUniqueOrThrow({ where: { name: 'mute' } });
    await expect(requester.request(host.id, 'system.ping', {}, { timeoutMs: 1500 })).rejects.toThrow('host mute did not answer system.ping within 1.5 s');
    const rows = await t().db.command.findMany({ where: { hostId: host.id } });
    expect(rows.map((r) => r.status)).toEqual(['expired']);
    mute.ws.close();
  });
});
