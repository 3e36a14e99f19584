// Networks on this machine's real bridges, veths and nftables, with real containers. Root only.
// Everything lives under names of this test's own (bridges bt<n>…, table berth_t<pid>, subnets
// in 10.217.0.0/16 that no address of the machine uses (other test files take 10.214-10.216) and is removed after, even on failure.
// Forwarding stays off here (the root namespace is the machine's): what needs the host to route
// (isolation between networks, outside clients) is tested in the lab, where each host is a netns.
import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeTestSubnets } from '@berth/testing/network-env';
import { useEngineFixture } from '../containers/engine-fixture.ts';
import type { ContainerEngine } from '../containers/engine.ts';
import { hostExec } from '../sys/exec.ts';
import { deleteTableCommand } from './ruleset.ts';
import { hostNet } from './host-net.ts';
import { NetworkManager } from './manager.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const tag = `${process.pid % 10000}`;
const table = `berth_t${tag}`;
const host = hostNet(hostExec());

async function links(): Promise<string[]> {
  return JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout).map((l: { ifname: string }) => l.ifname);
}

/** GET, asked again while the server in the just-started container is not listening yet. */
async function httpGet(url: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      return await res.text();
    } catch (err) {
      const refused = (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if (!refused || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe.skipIf(!isRoot)('networks on bridges, veths and nftables', () => { // skipped unless root: bridges, netns and nftables need root (./berth test runs as root)
  const f = useEngineFixture();
  let subnets: string[] = [];
  let linksBefore: string[] = [];
  const managers: NetworkManager[] = [];

  beforeAll(async () => {
    subnets = freeTestSubnets(217, 4);
    linksBefore = await links();
  });

  // What this file made, by name: other test files make bridges and veths in this namespace too.
  const made = new Set<string>();
  afterEach(async () => {
    for (const m of managers) {
      for (const n of m.list()) {
        made.add(n.bridge);
        for (const e of m.endpointsOf(n.id)) made.add(e.endpoint.hostVeth);
      }
    }
    for (const m of managers.splice(0)) await m.close();
    for (const l of await links()) if (made.has(l) || l.startsWith(`bt${tag}`)) await host.deleteLink(l).catch(() => undefined);
    await host.applyRules(deleteTableCommand(table)).catch(() => undefined);
  });

  afterAll(async () => {
    await host.applyRules(deleteTableCommand(table));
    expect((await links()).filter((l) => made.has(l) || l.startsWith(`bt${tag}`))).toEqual([]);
  });

  async function start(): Promise<{ engine: ContainerEngine; net: NetworkManager }> {
    // Upstream DNS on loopback only: no query of a test leaves the machine.
    const resolv = `${f.work}/resolv.conf`;
    await writeFile(resolv, 'nameserver 127.0.0.1\nsearch example.test\n');
    const net = new NetworkManager({
      stateDir: `${f.work}/state`,
      hostResolvConf: resolv,
      host,
      table,
      defaultBridge: { name: `bt${tag}d`, subnet: subnets[0] as string },
      ipForward: false,
      pools: subnets.slice(1),
    });
    managers.push(net);
    await net.load();
    const engine = await f.newEngine({ network: net });
    await net.sync();
    return { engine, net };
  }

  const httpd = (port = 80) => ['httpd', '-f', '-p', String(port), '-h', '/etc'];

  it('run -p 8080:80 on the default bridge: the host reaches it on 127.0.0.1 and on the bridge address; inspect shows the endpoint; stop releases it all', async () => {
    const { engine, net } = await start();
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const hostPort = (probe.address() as { port: number }).port;
    probe.close();

    const c = await f.runIt(engine, httpd(), { networkMode: 'bridge', portBindings: [{ hostIp: '', hostPort, containerPort: 80, protocol: 'tcp' }] }, 'web');
    const ep = c.network?.endpoints[0];
    expect(ep).toMatchObject({ networkName: 'bridge', ifname: 'eth0', ipv4Address: subnets[0]?.replace('.0/24', '.2'), gateway: subnets[0]?.replace('.0/24', '.1') });
    expect(ep?.macAddress).toMatch(/^02:42:0a:d9:/);
    expect(c.network?.ports).toEqual([{ hostIp: '', hostPort, containerPort: 80, protocol: 'tcp' }]);
    // busybox httpd serves /etc: hostname is the container's.
    expect(await httpGet(`http://127.0.0.1:${hostPort}/hostname`)).toBe(`${c.id.slice(0, 12)}\n`);
    expect(await httpGet(`http://${ep?.gateway}:${hostPort}/hosts`)).toContain(`${ep?.ipv4Address}\t${c.id.slice(0, 12)}`);
    // Inside: its address, the default route, resolv.conf pointing at the network's DNS server.
    const inside = await engine.execCollect(c.id, { cmd: ['sh', '-c', 'ip -4 -o addr show eth0; ip route; cat /etc/resolv.conf'] });
    expect(inside.stdout).toContain(`inet ${ep?.ipv4Address}/24`);
    expect(inside.stdout).toContain(`default via ${ep?.gateway}`);
    expect(inside.stdout).toContain(`nameserver ${ep?.gateway}\nsearch example.test`);
    expect((await run('nft', ['list', 'table', 'ip', table])).stdout).toContain(`tcp dport ${hostPort} dnat to ${ep?.ipv4Address}:80`);
    // docker stats' NET I/O: the requests above came in on eth0, the pages went out.
    const stats = await engine.stats(c.id);
    expect(stats.network.rxBytes).toBeGreaterThan(0);
    expect(stats.network.txBytes).toBeGreaterThan(100);

    // The port is held: a second container and a host process are both refused, naming it.
    await expect(f.runIt(engine, httpd(), { networkMode: 'bridge', portBindings: [{ hostIp: '', hostPort, containerPort: 80, protocol: 'tcp' }] }, 'web2')).rejects.toThrow(
      `Bind for 0.0.0.0:${hostPort} failed: port is already allocated`,
    );
    expect(engine.inspect('web2').state.status).toBe('created');
    const squatter = createServer();
    await expect(new Promise((resolve, reject) => squatter.once('error', reject).listen(hostPort, '127.0.0.1', () => resolve(null)))).rejects.toMatchObject({ code: 'EADDRINUSE' });

    await engine.stop(c.id, { timeoutSec: 1 });
    expect(engine.inspect(c.id).network).toBeUndefined();
    expect((await run('nft', ['list', 'table', 'ip', table])).stdout).not.toContain(`dport ${hostPort}`);
    expect(await links()).not.toContain(ep?.hostVeth);
    // Released: the next container takes the port.
    await engine.start('web2');
    expect(await httpGet(`http://127.0.0.1:${hostPort}/hostname`)).toBe(`${engine.inspect('web2').id.slice(0, 12)}\n`);
    void net;
  });

  it('a user-defined network: containers resolve each other by name and alias; the default bridge does not resolve names', async () => {
    const { engine, net } = await start();
    const n = await net.create({ name: 'appnet' });
    expect(n).toMatchObject({ subnet: subnets[1], gateway: subnets[1]?.replace('.0/24', '.1'), bridge: `br-${n.id.slice(0, 12)}` });
    await f.runIt(engine, httpd(), { networkMode: 'appnet', networks: [{ networkId: '', networkName: 'appnet', aliases: ['api'] }] }, 'backend');
    const client = await f.runIt(engine, ['sleep', '60'], { networkMode: 'appnet' }, 'client');
    const got = await engine.execCollect(client.id, { cmd: ['sh', '-c', 'wget -q -O - http://backend/hostname && wget -q -O - http://api/hostname && nslookup backend.'] });
    expect({ code: got.exitCode, out: got.stdout, err: got.stderr }).toMatchObject({ code: 0 });
    const backend = engine.inspect('backend');
    expect(got.stdout).toContain(`${backend.id.slice(0, 12)}\n${backend.id.slice(0, 12)}\n`);
    expect(got.stdout).toContain(backend.network?.endpoints[0]?.ipv4Address);

    const loner = await f.runIt(engine, ['sleep', '60'], { networkMode: 'bridge' }, 'loner');
    const miss = await engine.execCollect(loner.id, { cmd: ['nslookup', 'backend.'] });
    expect(miss.exitCode).not.toBe(0);
    expect(miss.stdout).not.toContain(backend.network?.endpoints[0]?.ipv4Address);

    // In use: refused, naming who uses it; after they stop it goes, bridge and all.
    await expect(net.remove('appnet')).rejects.toThrow(/has active endpoints \((backend, client|client, backend)\)/);
    await engine.stop('backend', { timeoutSec: 1 });
    await engine.stop('client', { timeoutSec: 1 });
    await net.remove('appnet');
    expect(await links()).not.toContain(n.bridge);
    await expect(engine.start('client')).rejects.toThrow(/network appnet not found/);
  });

  it('refuses bad networks with one clear error and leaves nothing behind', async () => {
    const { net } = await start();
    const before = await links();
    await expect(net.create({ name: 'x', subnet: subnets[0] as string })).rejects.toThrow(`subnet ${subnets[0]} overlaps with network bridge (${subnets[0]})`);
    await expect(net.create({ name: 'x', subnet: '10.214.0.5/24' })).rejects.toThrow(/host bits are set; did you mean 10.214.0.0\/24/);
    await expect(net.create({ name: 'x', subnet: '127.0.0.0/8' })).rejects.toThrow('subnet 127.0.0.0/8 overlaps 127.0.0.0/8, which is reserved');
    await expect(net.create({ name: 'bad;rm', subnet: subnets[2] as string })).rejects.toThrow(/invalid network name "bad;rm"/);
    await expect(net.create({ name: 'host' })).rejects.toThrow('host is a pre-defined network and cannot be created');
    await expect(net.remove('bridge')).rejects.toThrow('bridge is a pre-defined network and cannot be removed');
    const route = JSON.parse((await run('ip', ['-j', '-4', 'route', 'show'])).stdout).find((r: { dst: string }) => /^\d.*\/\d+$/.test(r.dst) && !r.dst.startsWith('10.21'))?.dst as string | undefined;
    if (route) await expect(net.create({ name: 'x', subnet: route })).rejects.toThrow(`collides with the host's route to ${route}`);
    await net.create({ name: 'dup', subnet: subnets[2] as string });
    await expect(net.create({ name: 'dup' })).rejects.toThrow('network with name dup already exists');
    await net.remove('dup');
    // No bridge of a refused network: each would be br-<id> of a record, and there is only bridge's.
    // (other test files make links in this namespace at the same time: compare ours only)
    expect((await links()).filter((l) => !before.includes(l) && l.startsWith(`bt${tag}`))).toEqual([]);
    expect(net.list().map((n) => n.name)).toEqual(['bridge']);
    expect(await readdir(`${f.work}/state/networks`)).toHaveLength(1);
  });

  it('-P publishes every exposed port on a free host port; --network none has only lo; --network host shares the host; --dns and --add-host land in the files', async () => {
    const { engine } = await start();
    const image = f.busybox({ Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ExposedPorts: { '80/tcp': {}, '5353/udp': {} } });
    const all = await engine.run({ rootfs: image, name: 'all', config: { cmd: httpd(), networkMode: 'bridge', publishAll: true, exposedPorts: ['9000'] } });
    const ports = all.network?.ports ?? [];
    expect(ports.map((p) => `${p.containerPort}/${p.protocol}`).sort()).toEqual(['5353/udp', '80/tcp', '9000/tcp']);
    for (const p of ports) expect(p.hostPort).toBeGreaterThan(1023);
    const web = ports.find((p) => p.containerPort === 80);
    expect(await httpGet(`http://127.0.0.1:${web?.hostPort}/hostname`)).toBe(`${all.id.slice(0, 12)}\n`);

    const none = await f.runIt(engine, ['sleep', '60'], { networkMode: 'none', dns: ['192.0.2.53'], dnsSearch: ['corp.test'], extraHosts: [{ host: 'db.local', ip: '10.1.2.3' }] }, 'alone');
    const lone = await engine.execCollect(none.id, { cmd: ['sh', '-c', 'ls /sys/class/net; cat /etc/resolv.conf /etc/hosts'] });
    expect(lone.stdout).toMatch(/^lo\n/);
    expect(lone.stdout).toContain('nameserver 192.0.2.53\nsearch corp.test');
    expect(lone.stdout).toContain('10.1.2.3\tdb.local');
    expect(none.network).toBeUndefined();

    const shared = await f.runIt(engine, ['sleep', '60'], { networkMode: 'host' }, 'hostnet');
    const seen = await engine.execCollect(shared.id, { cmd: ['ls', '/sys/class/net'] });
    expect(seen.stdout.split('\n')).toEqual(expect.arrayContaining(linksBefore.filter((l) => l !== 'lo').slice(0, 1)));
    await expect(f.runIt(engine, ['true'], { networkMode: 'host', portBindings: [{ hostIp: '', hostPort: 1234, containerPort: 80, protocol: 'tcp' }] })).rejects.toThrow(
      'conflicting options: port publishing and the host network mode',
    );
  });

  it('after a reboot (bridges and rules gone) the agent brings the networks back and a container starts on them', async () => {
    const first = await start();
    const n = await first.net.create({ name: 'kept', subnet: subnets[3] as string });
    await first.net.close();
    managers.splice(managers.indexOf(first.net), 1);
    await host.deleteLink(n.bridge);
    await host.deleteLink(`bt${tag}d`);
    await host.applyRules(deleteTableCommand(table));

    const second = await start();
    expect(await links()).toEqual(expect.arrayContaining([n.bridge, `bt${tag}d`]));
    const c = await f.runIt(second.engine, httpd(), { networkMode: 'kept', portBindings: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }] }, 'again');
    expect(c.network?.endpoints[0]?.ipv4Address).toBe(subnets[3]?.replace('.0/24', '.2'));
    expect(await httpGet(`http://127.0.0.1:${c.network?.ports[0]?.hostPort}/hostname`)).toBe(`${c.id.slice(0, 12)}\n`);
  });

  it('an agent restart keeps published ports working: the new manager adopts the running container and rebuilds the rules', async () => {
    const first = await start();
    const c = await f.runIt(first.engine, httpd(), { networkMode: 'bridge', portBindings: [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }] }, 'survivor');
    const port = c.network?.ports[0]?.hostPort ?? 0;
    expect(port).toBeGreaterThan(1023);
    await first.engine.close();
    f.forget(first.engine);
    await first.net.close();
    managers.splice(managers.indexOf(first.net), 1);
    // A crashed agent's rules are gone too, in the worst case.
    await host.applyRules(deleteTableCommand(table));

    const second = await start();
    expect(second.engine.inspect('survivor').state.status).toBe('running');
    expect(await httpGet(`http://127.0.0.1:${port}/hostname`)).toBe(`${c.id.slice(0, 12)}\n`);
  });
});
