import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiToken, createJoinToken, createUser, lastInventory, OutboxRequester, systemActor, type Actor } from '@berth/core';
import { Notifier } from '@berth/db';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, runCli, startGateway, startLabAgent, type RunningGateway } from '@berth/testing/fleet';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { useLab, type LabProcess } from '@berth/testing/lab';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A terminal session on /api/exec as `berth exec -it` and the web terminal hold it. */
function terminal(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/exec`, { headers });
  let screen = '';
  const control: Record<string, unknown>[] = [];
  ws.on('message', (d: Buffer, binary) => (binary ? (screen += d.subarray(1).toString()) : control.push(JSON.parse(d.toString()) as Record<string, unknown>)));
  const refused = new Promise<number>((r) => ws.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)));
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  return { ws, screen: () => screen, control, refused, closed, opened: new Promise<void>((r) => ws.once('open', () => r())) };
}

/**
 * What a user of a real host sees: the agent is killed with SIGKILL (a crash, an OOM kill, an
 * upgrade gone wrong) while containers run; when it comes back they are still running, the one
 * that ended meanwhile shows its exit code, and a restart policy is applied to the one that died.
 */
describe('containers on a lab host through the gateway', () => {
  const t = useTestDatabase();
  const lab = useLab(2);
  let gw: RunningGateway;
  let registry: RunningRegistry;
  let notifier: Notifier;
  let requester: OutboxRequester;
  let admin: Actor;
  let agent: LabProcess;
  let second: LabProcess | undefined;
  let hostId: string;
  let ref: string;
  const agentEnv = () => ({ BERTH_INSECURE_REGISTRIES: registry.host });
  const ask = <K extends Parameters<OutboxRequester['request']>[1]>(op: K, params: Parameters<OutboxRequester['request']>[2] & object) =>
    requester.request(hostId, op, params as never, { timeoutMs: 60_000 });

  beforeAll(async () => {
    registry = await startRegistry({ bind: lab().gateway });
    await pushImage(await buildBusyboxImage(), registry.url, 'team/busybox', 'latest');
    ref = `${registry.host}/team/busybox:latest`;
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway, env: { BERTH_HEARTBEAT_MS: '500', BERTH_OFFLINE_AFTER_MS: '3000' } });
    const u = await createUser(systemActor(), { username: 'ops', password: 'a-long-password', role: 'admin' }, t().db);
    admin = { kind: 'user', id: u.id, name: u.username, role: 'admin', source: 'cli', remoteAddr: null };
    notifier = new Notifier(t().url);
    await notifier.start();
    requester = new OutboxRequester(t().db, notifier);
    const h = lab().hosts[0]!;
    const jt = await createJoinToken(admin, { hostName: h.name }, t().db);
    agent = startLabAgent(h, { wsUrl: gw.wsUrl, joinToken: jt.token, env: agentEnv() });
    const host = await eventually(async () => (await t().db.host.findFirst({ where: { name: h.name, status: 'online' } })) ?? null, 'agent online', 60_000);
    hostId = host.id;
  });

  afterAll(async () => {
    if (hostId) {
      const list = (await ask('container.list', { all: true }).catch(() => [])) as { id: string }[];
      for (const c of list) await ask('container.remove', { id: c.id, force: true }).catch(() => undefined);
    }
    await agent?.stop();
    await second?.stop();
    await notifier?.close();
    await gw?.stop();
    await registry?.stop();
  });

  it('a terminal over /api/exec: a real tty of the asked size, resize, exit code; refused without a token, for a viewer and cross-site', async () => {
    await ask('image.pull', { ref });
    await ask('container.create', { image: ref, name: 'term', cmd: ['sleep', '1000'] });
    await ask('container.start', { id: 'term' });
    try {
      const operator = await createApiToken(admin, { name: 'term' }, t().db);
      const t1 = terminal(gw.url, { authorization: `Bearer ${operator.token}` });
      await t1.opened;
      t1.ws.send(JSON.stringify({ host: lab().hosts[0]!.name, id: 'term', cmd: ['sh'], tty: { cols: 77, rows: 22 } }));
      // type at the prompt, as a user does: the runtime sizes the terminal as the shell starts
      await eventually(async () => t1.screen().includes('/ # '), 'the shell prompt');
      t1.ws.send(Buffer.from('stty size\n'));
      await eventually(async () => t1.screen().includes('22 77'), 'stty size on the terminal');
      t1.ws.send(JSON.stringify({ resize: { cols: 100, rows: 30 } }));
      // the runtime passes the new size on when it gets SIGWINCH: ask until it has
      await eventually(async () => {
        t1.ws.send(Buffer.from('stty size\n'));
        await new Promise((r) => setTimeout(r, 300));
        return t1.screen().includes('30 100');
      }, 'the resized terminal');
      t1.ws.send(Buffer.from('exit 4\n'));
      await t1.closed;
      expect(t1.screen()).toContain('30 100');
      expect(t1.control).toEqual([{ exit: 4 }]);
      const audit = await t().db.auditEntry.findFirst({ where: { action: 'container.exec' } });
      expect(audit).toMatchObject({ objectId: 'term', outcome: 'ok', params: { cmd: ['sh'], tty: true } });

      expect(await terminal(gw.url, {}).refused).toBe(401);
      expect(await terminal(gw.url, { authorization: `Bearer ${operator.token}`, origin: 'https://evil.example' }).refused).toBe(403);
      const v = await createUser(systemActor(), { username: 'watcher', password: 'a-long-password', role: 'viewer' }, t().db);
      const viewer = await createApiToken({ kind: 'user', id: v.id, name: v.username, role: 'viewer', source: 'cli', remoteAddr: null }, { name: 'v' }, t().db);
      const t2 = terminal(gw.url, { authorization: `Bearer ${viewer.token}` });
      await t2.opened;
      t2.ws.send(JSON.stringify({ host: lab().hosts[0]!.name, id: 'term', cmd: ['sh'] }));
      await t2.closed;
      expect(t2.control).toEqual([{ error: expect.stringContaining('needs the operator role'), code: 'FORBIDDEN' }]);
    } finally {
      await ask('container.remove', { id: 'term', force: true });
    }
  });

  it('the CLI drives a container on the remote lab host: run attached, run -d, ps, logs, exec, rm', async () => {
    const token = (await createApiToken(admin, { name: 'cli' }, t().db)).token;
    const env = { BERTH_URL: gw.url, BERTH_TOKEN: token, BERTH_CONFIG: '/nonexistent/config.json' };
    const h = lab().hosts[0]!.name;
    const hello = await runCli(['-H', h, 'run', '--rm', ref, 'sh', '-c', 'echo hello from $(hostname); exit 6'], env);
    expect(hello.code, hello.stderr).toBe(6);
    expect(hello.stdout).toMatch(/^hello from [0-9a-f]{12}$/m);
    const d = await runCli(['-H', h, 'run', '-d', '--name', 'remote', ref, 'sh', '-c', 'echo up; exec sleep 1000'], env);
    expect(d.code, d.stderr).toBe(0);
    try {
      const ps = await runCli(['-H', h, 'ps'], env);
      expect(ps.stdout).toMatch(/Up .* remote$/m);
      await eventually(async () => (await runCli(['-H', h, 'logs', 'remote'], env)).stdout === 'up\n', 'the remote container logs');
      const exec = await runCli(['-H', h, 'exec', 'remote', 'cat', '/etc/hostname'], env);
      expect(exec.stdout).toBe(`${d.stdout.trim().slice(0, 12)}\n`);
    } finally {
      expect((await runCli(['-H', h, 'rm', '-f', 'remote'], env)).code).toBe(0);
    }
  });

  it('networks on a lab host: published ports from outside, from another lab host and through 127.0.0.1, names on a user network, isolation, internal networks, NAT out, all kept across an agent SIGKILL, nothing left after', async () => {
    const h = lab().hosts[0]!;
    const token = (await createApiToken(admin, { name: 'net' }, t().db)).token;
    const env = { BERTH_URL: gw.url, BERTH_TOKEN: token, BERTH_CONFIG: '/nonexistent/config.json' };
    const inside = async (name: string, script: string) => runCli(['-H', h.name, 'exec', name, 'sh', '-c', script], env);
    const links = async () => (JSON.parse((await h.exec(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
    const rules = async () => (await h.exec(['nft', 'list', 'table', 'ip', 'berth'])).stdout;
    await ask('image.pull', { ref });
    const linksBefore = await links();
    const rulesBefore = await rules();
    expect(linksBefore).toContain('berth0');
    expect((await h.exec(['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim()).toBe('1');
    expect(await ask('host.facts', {})).toMatchObject({ ipForwarding: true, defaultBridge: { name: 'berth0', subnet: '172.17.0.0/16', gateway: '172.17.0.1' } });

    await ask('network.create', { name: 'front', subnet: '10.90.1.0/24' });
    await ask('network.create', { name: 'back', subnet: '10.90.2.0/24', internal: true });
    const httpd = ['httpd', '-f', '-p', '80', '-h', '/etc'];
    const run = async (name: string, spec: Record<string, unknown>) => {
      await ask('container.create', { image: ref, name, ...spec });
      await ask('container.start', { id: name });
    };
    try {
      await run('web', { cmd: httpd, network: 'front', publish: ['8080:80'] });
      await run('db', { cmd: httpd, network: 'back' });
      await run('client', { cmd: ['sleep', '1000'], network: 'front' });
      const web = (await ask('container.inspect', { id: 'web' })) as { Id: string; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
      const db = (await ask('container.inspect', { id: 'db' })) as { Id: string; NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
      expect(web.NetworkSettings.Networks.front?.IPAddress).toBe('10.90.1.2');
      const dbIp = db.NetworkSettings.Networks.back?.IPAddress;

      // From outside the host (this test's namespace) to the host's address, and from the host itself through 127.0.0.1.
      // (asked again while httpd in the just-started container is not listening yet)
      const served = await eventually(async () => (await fetch(`http://${h.address}:8080/hostname`).then((r) => r.text(), () => null)) ?? null, 'the published port');
      expect(served).toBe(`${web.Id.slice(0, 12)}\n`);
      expect((await h.exec(['busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/hostname'])).stdout).toBe(`${web.Id.slice(0, 12)}\n`);
      // and from another lab host, across the lab's network
      expect((await lab().hosts[1]!.exec(['busybox', 'wget', '-q', '-O', '-', `http://${h.address}:8080/hostname`])).stdout).toBe(`${web.Id.slice(0, 12)}\n`);
      const ps = (await ask('container.list', { all: false })) as { name: string; ports: unknown[]; networks: string[] }[];
      expect(ps.find((c) => c.name === 'web')).toMatchObject({ ports: [{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }], networks: ['front'] });

      // By name on the same network; hairpin through the host's own address; out through NAT to the registry.
      const byName = await inside('client', `wget -q -O - http://web/hostname && wget -q -O - http://${h.address}:8080/hostname && wget -q -O - http://${registry.host}/v2/ >/dev/null && echo nat-ok`);
      expect(byName.stdout, byName.stderr).toBe(`${web.Id.slice(0, 12)}\n${web.Id.slice(0, 12)}\nnat-ok\n`);
      // Another network is out of reach, by address and by name; an internal one reaches nothing outside.
      const isolated = await inside('client', `wget -q -T 2 -O - http://${dbIp}/hostname || echo blocked; nslookup db. >/dev/null 2>&1 || echo unknown`);
      expect(isolated.stdout).toBe('blocked\nunknown\n');
      const internal = await inside('db', `wget -q -T 2 -O - http://${registry.host}/v2/ || echo no-way-out`);
      expect(internal.stdout).toBe('no-way-out\n');

      // network connect: a second interface at once, and the name resolves.
      await ask('network.connect', { network: 'back', container: 'client' });
      const joined = await inside('client', 'ip -4 -o addr show eth1 | grep -c 10.90.2. ; wget -q -O - http://db/hostname');
      expect(joined.stdout).toBe(`1\n${db.Id.slice(0, 12)}\n`);
      await expect(ask('network.remove', { network: 'back' })).rejects.toThrow(/back .* (has active endpoints|is used by container)/);
      await ask('network.disconnect', { network: 'back', container: 'client' });
      expect((await inside('client', 'ip link show eth1 || echo gone')).stdout).toContain('gone');

      // The agent SIGKILLed while they run: ports, names and isolation hold, and a new agent
      // takes them over with its rules rebuilt from the state (the table is gone after a crash in the worst case).
      await agent.stop('SIGKILL');
      await h.exec(['nft', 'delete', 'table', 'ip', 'berth']);
      agent = startLabAgent(h, { wsUrl: gw.wsUrl, env: agentEnv() });
      await eventually(async () => (await t().db.host.findUnique({ where: { id: hostId } }))?.status === 'online', 'agent back online', 60_000);
      const again = await eventually(async () => (await fetch(`http://${h.address}:8080/hostname`).then((r) => r.text(), () => null)) ?? null, 'the published port after the restart');
      expect(again).toBe(`${web.Id.slice(0, 12)}\n`);
      expect((await inside('client', 'wget -q -O - http://web/hostname')).stdout).toBe(`${web.Id.slice(0, 12)}\n`);
      expect((await inside('client', `wget -q -T 2 -O - http://${dbIp}/hostname || echo blocked`)).stdout).toBe('blocked\n');
    } finally {
      for (const id of ['web', 'db', 'client']) await ask('container.remove', { id, force: true }).catch(() => undefined);
      await ask('network.remove', { network: 'front' }).catch(() => undefined);
      await ask('network.remove', { network: 'back' }).catch(() => undefined);
    }
    // Nothing leaked: no veth, no bridge, no rule.
    expect(await links()).toEqual(linksBefore);
    expect(await rules()).toBe(rulesBefore);
  });

  it('an image committed and pushed on one lab host pulls on another with the same digest and id', async () => {
    const h2 = lab().hosts[1]!;
    const jt = await createJoinToken(admin, { hostName: h2.name }, t().db);
    second = startLabAgent(h2, { wsUrl: gw.wsUrl, joinToken: jt.token, env: agentEnv() });
    const other = await eventually(async () => (await t().db.host.findFirst({ where: { name: h2.name, status: 'online' } })) ?? null, 'second agent online', 60_000);
    await ask('image.pull', { ref });
    await ask('container.create', { image: ref, name: 'baker', cmd: ['sh', '-c', 'echo baked > /baked'] });
    await ask('container.start', { id: 'baker' });
    await ask('container.wait', { id: 'baker' });
    const shared = `${registry.host}/team/baked:1`;
    const committed = (await ask('container.commit', { id: 'baker', ref: shared })) as { id: string };
    const pushed = (await ask('image.push', { ref: shared })) as { digest: string; id: string };
    expect(pushed.id).toBe(committed.id);
    const pulled = (await requester.request(other.id, 'image.pull', { ref: shared }, { timeoutMs: 60_000 })) as { digest: string; id: string };
    expect(pulled).toMatchObject({ digest: pushed.digest, id: committed.id });
    await ask('container.remove', { id: 'baker' });
    await requester.request(other.id, 'image.remove', { ref: shared, force: false }, { timeoutMs: 60_000 });
  });

  it('save downloads a docker-archive over HTTP and load uploads it back, with the same image id; a viewer cannot load', async () => {
    await ask('image.pull', { ref });
    const token = (await createApiToken(admin, { name: 'transfer' }, t().db)).token;
    const h = lab().hosts[0]!.name;
    const saved = await fetch(`${gw.url}/api/images/save?host=${h}&ref=${encodeURIComponent(ref)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(saved.status).toBe(200);
    expect(saved.headers.get('content-type')).toBe('application/x-tar');
    const archive = Buffer.from(await saved.arrayBuffer());
    expect(archive.subarray(257, 262).toString()).toBe('ustar');
    const id = ((await ask('image.inspect', { ref })) as { id: string }).id;
    await ask('image.remove', { ref });

    const v = await createUser(systemActor(), { username: 'looker', password: 'a-long-password', role: 'viewer' }, t().db);
    const viewer = await createApiToken({ kind: 'user', id: v.id, name: v.username, role: 'viewer', source: 'cli', remoteAddr: null }, { name: 'v' }, t().db);
    const refused = await fetch(`${gw.url}/api/images/load?host=${h}`, { method: 'POST', body: archive, headers: { authorization: `Bearer ${viewer.token}` } });
    expect(refused.status).toBe(403);
    const crossSite = await fetch(`${gw.url}/api/images/load?host=${h}`, { method: 'POST', body: archive, headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);

    const loaded = await fetch(`${gw.url}/api/images/load?host=${h}`, { method: 'POST', body: archive, headers: { authorization: `Bearer ${token}` } });
    expect(loaded.status).toBe(200);
    const body = (await loaded.json()) as { images: { id: string }[]; messages: string[] };
    expect(body.images.map((i) => i.id)).toEqual([id]);
    expect(body.messages).toEqual([`Loaded image: ${ref}`]);
    const garbage = await fetch(`${gw.url}/api/images/load?host=${h}`, { method: 'POST', body: Buffer.alloc(4096, 7), headers: { authorization: `Bearer ${token}` } });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: string }).error).toMatch(/^h1: /);
    const missing = await fetch(`${gw.url}/api/images/save?host=${h}&ref=nope:1`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
  });

  it('live restore: containers outlive a SIGKILLed agent, keep running, exits are recorded and restart policies apply', async () => {
    await ask('container.create', { image: ref, name: 'long', cmd: ['sleep', '1000'] });
    await ask('container.create', { image: ref, name: 'short', cmd: ['sh', '-c', 'sleep 2; echo done; exit 3'] });
    await ask('container.create', { image: ref, name: 'always', cmd: ['sh', '-c', 'sleep 2; exit 1'], restartPolicy: { name: 'always', maximumRetryCount: 0 } });
    for (const name of ['long', 'short', 'always']) await ask('container.start', { id: name });
    const before = (await ask('container.inspect', { id: 'long' })) as { State: { Pid: number } };
    expect(alive(before.State.Pid)).toBe(true);

    await agent.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000)); // short and always end while no agent watches
    expect(alive(before.State.Pid)).toBe(true);

    agent = startLabAgent(lab().hosts[0]!, { wsUrl: gw.wsUrl, env: agentEnv() });
    await eventually(async () => (await t().db.host.findUnique({ where: { id: hostId } }))?.status === 'online', 'agent back online', 60_000);

    const after = (await ask('container.inspect', { id: 'long' })) as { State: { Status: string; Pid: number } };
    expect(after.State).toMatchObject({ Status: 'running', Pid: before.State.Pid });
    const short = (await ask('container.inspect', { id: 'short' })) as { State: { Status: string; ExitCode: number } };
    expect(short.State).toMatchObject({ Status: 'exited', ExitCode: 3 });
    const always = (await ask('container.inspect', { id: 'always' })) as { RestartCount: number };
    expect(always.RestartCount).toBeGreaterThanOrEqual(1);
    // the control plane's copy caught up on reconnect: what the dashboard shows is not stale
    const inv = await eventually(async () => {
      const i = await lastInventory(hostId, t().db);
      return i?.inventory.containers.find((c) => c.name === 'short')?.state === 'exited' ? i : null;
    }, 'inventory after reconnect');
    expect(inv.inventory.containers.find((c) => c.name === 'long')).toMatchObject({ state: 'running' });
    // nothing duplicated
    expect(inv.inventory.containers.map((c) => c.name).sort()).toEqual(['always', 'long', 'short']);
    const log = await readFile(agent.logPath, 'utf8');
    expect(log).toMatch(/container engine ready/);
  });
});
