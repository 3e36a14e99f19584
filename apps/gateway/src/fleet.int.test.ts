import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiToken, createJoinToken, createUser, systemActor, type Actor } from '@berth/core';
import { challengePayload, PROTOCOL_VERSION } from '@berth/protocol';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, runCli, startGateway, startLabAgent, type RunningGateway } from '@berth/testing/fleet';
import { useLab } from '@berth/testing/lab';
import type { LabProcess } from '@berth/testing/lab';

/** A raw protocol client: what a forger, a replayer or a broken agent can send. */
function rawAgent(url: string) {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    frames.push(JSON.parse(String(d)) as Record<string, unknown>);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  const next = async (type: string) => {
    for (;;) {
      const i = frames.findIndex((f) => f.type === type);
      if (i >= 0) return frames.splice(i, 1)[0]!;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return { ws, next, closed, opened: new Promise((r, j) => (ws.once('open', r), ws.once('error', j))) };
}

const keyPair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return { pub, sign: (nonce: string) => sign(null, challengePayload(nonce, pub), privateKey).toString('base64') };
};

describe('the fleet on the lab: agents in their own network namespaces', () => {
  const t = useTestDatabase();
  const lab = useLab(2);
  let gw: RunningGateway;
  let admin: Actor;
  let cliEnv: Record<string, string>;
  const agents = new Map<string, LabProcess>();
  const hostStatus = async (name: string) => (await t().db.host.findUnique({ where: { name } }))?.status;

  beforeAll(async () => {
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway, env: { BERTH_HEARTBEAT_MS: '500', BERTH_OFFLINE_AFTER_MS: '3000' } });
    const u = await createUser(systemActor(), { username: 'ops', password: 'a-long-password', role: 'admin' }, t().db);
    admin = { kind: 'user', id: u.id, name: u.username, role: 'admin', source: 'cli', remoteAddr: null };
    const token = await createApiToken(admin, { name: 'test' }, t().db);
    cliEnv = { BERTH_URL: gw.url, BERTH_TOKEN: token.token, BERTH_CONFIG: '/nonexistent/config.json' };
  });
  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await gw?.stop();
  });

  it('enrolls an agent with a join token and shows it online with its facts', async () => {
    for (const h of lab().hosts) {
      const jt = await createJoinToken(admin, { hostName: h.name }, t().db);
      agents.set(h.name, startLabAgent(h, { wsUrl: gw.wsUrl, joinToken: jt.token }));
    }
    for (const h of lab().hosts) await eventually(async () => (await hostStatus(h.name)) === 'online', `${h.name} online`);
    const hosts = await runCli(['hosts', '--format', 'json'], cliEnv);
    expect(hosts.code, hosts.stderr).toBe(0);
    const list = JSON.parse(hosts.stdout) as { name: string; status: string; facts: { runtime: { name: string } } | null }[];
    expect(list.map((h) => [h.name, h.status])).toEqual([['h1', 'online'], ['h2', 'online']]);
    // the join token was single-use: a second enrollment with it is refused
    const used = await t().db.joinToken.findFirst({ where: { hostName: 'h1' } });
    expect(used?.uses).toBe(1);
  });

  it('drives a remote lab host from the CLI: berth -H h2 info asks that host now', async () => {
    const r = await runCli(['-H', 'h2', 'info'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Host: h2$/m);
    expect(r.stdout).toMatch(/Runtime: (runc|crun) /);
    expect(r.stdout).toContain(`Berth Root Dir: ${lab().host('h2').stateDir}`);
  });

  it('shows a partitioned host offline within the bounded time, and online again once the link heals', async () => {
    const h2 = lab().host('h2');
    await h2.cutLink();
    const cutAt = Date.now();
    await eventually(async () => (await hostStatus('h2')) === 'offline', 'h2 offline', 10_000);
    // offline after 3 s of silence (BERTH_OFFLINE_AFTER_MS), with the sweep's second of slack
    expect(Date.now() - cutAt).toBeLessThan(6_000);
    expect(await hostStatus('h1')).toBe('online');
    await h2.restoreLink();
    await eventually(async () => (await hostStatus('h2')) === 'online', 'h2 online again', 20_000);
    const r = await runCli(['-H', 'h2', 'info', '--format', 'json'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses forged, replayed, malformed and oversized connections, and keeps serving the others', async () => {
    // a key that was never enrolled
    const stranger = keyPair();
    const a = rawAgent(gw.wsUrl);
    const { nonce } = (await a.next('challenge')) as { nonce: string };
    a.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'x', publicKey: stranger.pub, signature: stranger.sign(nonce) }));
    expect(await a.next('refused')).toMatchObject({ code: 'unknown_host' });
    expect(await a.closed).toBe(4001);

    // an enrolled key whose signature over an old challenge is replayed
    const jt = await createJoinToken(admin, { hostName: 'replayed' }, t().db);
    const key = keyPair();
    const first = rawAgent(gw.wsUrl);
    const c1 = (await first.next('challenge')) as { nonce: string };
    const oldSignature = key.sign(c1.nonce);
    first.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'x', publicKey: key.pub, signature: oldSignature, enroll: { joinToken: jt.token, hostName: 'replayed' } }));
    expect(await first.next('welcome')).toMatchObject({ hostName: 'replayed' });
    first.ws.close();
    const replay = rawAgent(gw.wsUrl);
    await replay.next('challenge');
    replay.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', agentVersion: 'x', publicKey: key.pub, signature: oldSignature }));
    expect(await replay.next('refused')).toMatchObject({ code: 'bad_signature' });

    // garbage, an unknown message type, a future major version, an oversized frame
    const garbage = rawAgent(gw.wsUrl);
    await garbage.next('challenge');
    garbage.ws.send('{not json');
    expect(await garbage.next('refused')).toMatchObject({ code: 'malformed' });
    const unknown = rawAgent(gw.wsUrl);
    await unknown.next('challenge');
    unknown.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'give-me-root' }));
    expect(await unknown.next('refused')).toMatchObject({ code: 'malformed' });
    const future = rawAgent(gw.wsUrl);
    const c3 = (await future.next('challenge')) as { nonce: string };
    future.ws.send(JSON.stringify({ v: '2.0', type: 'hello', agentVersion: 'x', publicKey: key.pub, signature: key.sign(c3.nonce) }));
    const refusal = (await future.next('refused')) as { code: string; message: string };
    expect(refusal.code).toBe('incompatible_version');
    expect(refusal.message).toMatch(/upgrade the control plane/);
    const big = rawAgent(gw.wsUrl);
    await big.opened;
    big.ws.send('x'.repeat(5 * 1024 * 1024));
    expect(await big.closed).toBe(1009);

    // nobody else noticed
    const r = await runCli(['-H', 'h1', 'info', '--format', 'json'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(gw.process.exitCode).toBeNull();
  });

  it('revokes a host: its agent is disconnected at once and its old key cannot come back', async () => {
    const r = await runCli(['host', 'revoke', 'h1'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    const exit = await agents.get('h1')!.exited;
    expect(exit.code).toBe(1);
    expect(await hostStatus('h1')).toBe('revoked');
    // restarted with its old key, the agent is refused for good
    const again = startLabAgent(lab().host('h1'), { wsUrl: gw.wsUrl });
    agents.set('h1', again);
    expect((await again.exited).code).toBe(1);
    expect(gw.log()).toMatch(/"code":"revoked"/);
    expect(await hostStatus('h1')).toBe('revoked');
  });

  it('records who did what in a hash chain that `berth audit verify` checks, and detects a changed row', async () => {
    const ok = await runCli(['audit', 'verify'], cliEnv);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit log intact: \d+ entries verified/);
    const entries = await t().db.auditEntry.findMany({ orderBy: { id: 'asc' } });
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'api-token.create', 'join-token.create', 'host.enroll', 'host.revoke']));
    const revoke = entries.find((e) => e.action === 'host.revoke')!;
    expect(revoke).toMatchObject({ actorName: 'ops', source: 'cli', objectId: 'h1', outcome: 'ok' });
    // nothing secret reached the log
    expect(JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/bj_|berth_[A-Za-z0-9_-]{20}/);
    // removing a host leaves the entries about it as they were
    const rm = await runCli(['host', 'rm', 'h1'], cliEnv);
    expect(rm.code, rm.stderr).toBe(0);
    const still = await runCli(['audit', 'verify'], cliEnv);
    expect(still.code, still.stderr).toBe(0);
    await t().db.$executeRaw`UPDATE audit_entries SET actor_name = 'someone-else' WHERE id = ${revoke.id}`;
    const bad = await runCli(['audit', 'verify'], cliEnv);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`entry ${revoke.id}: its content does not match its hash`);
  });
});
