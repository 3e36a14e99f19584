// The network manager's decisions with a recording NetHost (no bridges made): addresses, subnet
// choice, refusals and what is undone when the host refuses. Real bridges: network.int.test.ts.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecError } from '../sys/exec.ts';
import type { NetHost, VethAttachment } from './host-net.ts';
import { NetworkManager } from './manager.ts';

function fakeHost(o: { routes?: string[]; failBridge?: string; nft?: 'missing' } = {}) {
  const calls: string[] = [];
  const veths: VethAttachment[] = [];
  const host: NetHost = {
    routes: async () => o.routes ?? [],
    ensureBridge: async (name, cidr) => {
      if (name === o.failBridge) throw new Error(`ip: cannot create ${name}`);
      calls.push(`bridge ${name} ${cidr}`);
    },
    deleteLink: async (name) => void calls.push(`delete ${name}`),
    attachVeth: async (a) => void veths.push(a),
    applyRules: async () => {
      if (o.nft === 'missing') throw new ExecError('nft: not found (is it installed and on PATH?)', ['nft'], 'not-found');
      calls.push('rules');
    },
    writeSysctl: async (k, v) => void calls.push(`sysctl ${k}=${v}`),
  };
  return { host, calls, veths };
}

describe('NetworkManager with a recording host', () => {
  const dirs: string[] = [];
  const managers: NetworkManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function open(h: ReturnType<typeof fakeHost>, o: { bridge?: boolean } = {}) {
    const stateDir = await mkdtemp(join(tmpdir(), 'berth-netmgr-'));
    dirs.push(stateDir);
    const m = new NetworkManager({ stateDir, host: h.host, defaultBridge: o.bridge === false ? null : { name: 'berth0', subnet: '172.17.0.0/16' }, dns: { enabled: false }, hostResolvConf: '/dev/null' });
    managers.push(m);
    await m.load();
    return { m, stateDir };
  }

  it('brings up the default bridge with its gateway, turns forwarding on and hands out addresses from .2', async () => {
    const h = fakeHost();
    const { m } = await open(h);
    expect(h.calls).toEqual(['sysctl net.ipv4.ip_forward=1', 'bridge berth0 172.17.0.1/16', 'sysctl net.ipv4.conf.berth0.route_localnet=1']);
    const bridge = m.resolveAttachment('bridge', []);
    const a = await m.attach({ containerId: 'a'.repeat(64), name: 'a', hostname: 'a', pid: 1, attachments: [bridge], portBindings: [], publishAll: [], dns: [] });
    const b = await m.attach({ containerId: 'b'.repeat(64), name: 'b', hostname: 'b', pid: 2, attachments: [bridge], portBindings: [], publishAll: [], dns: [] });
    expect([a.endpoints[0]?.ipv4Address, b.endpoints[0]?.ipv4Address]).toEqual(['172.17.0.2', '172.17.0.3']);
    expect(h.veths[0]).toMatchObject({ pid: 1, ifname: 'eth0', bridge: 'berth0', prefixLen: 16, macAddress: '02:42:ac:11:00:02', gateway: '172.17.0.1' });
    await m.release('a'.repeat(64));
    const c = await m.attach({ containerId: 'c'.repeat(64), name: 'c', hostname: 'c', pid: 3, attachments: [bridge], portBindings: [], publishAll: [], dns: [] });
    expect(c.endpoints[0]?.ipv4Address).toBe('172.17.0.2'); // given back, taken again
  });

  it('picks the first pool that neither a network nor a host route uses', async () => {
    const h = fakeHost({ routes: ['172.18.0.0/16', '10.0.0.0/8'] });
    const { m } = await open(h);
    expect((await m.create({ name: 'one' })).subnet).toBe('172.19.0.0/16');
    expect((await m.create({ name: 'two' })).subnet).toBe('172.20.0.0/16');
    await expect(m.create({ name: 'three', subnet: '10.1.0.0/24' })).rejects.toThrow("subnet 10.1.0.0/24 collides with the host's route to 10.0.0.0/8");
    await expect(m.create({ name: 'four', subnet: '172.19.5.0/24' })).rejects.toThrow('subnet 172.19.5.0/24 overlaps with network one (172.19.0.0/16)');
    await expect(m.create({ name: 'five', subnet: '192.168.200.0/24', gateway: '192.168.201.1' })).rejects.toThrow('gateway 192.168.201.1 is not a usable address of subnet 192.168.200.0/24');
  });

  it('leaves nothing when the host refuses the bridge: no record, and the bridge removed', async () => {
    const h = fakeHost({ failBridge: 'br-' });
    const { m, stateDir } = await open(h);
    // the bridge name is br-<id12>: make every br- fail
    h.host.ensureBridge = async (name) => {
      if (name.startsWith('br-')) throw new Error(`ip: cannot create ${name}`);
    };
    await expect(m.create({ name: 'bad', subnet: '10.9.0.0/24' })).rejects.toThrow(/cannot create network bad: ip: cannot create br-/);
    expect(m.list().map((n) => n.name)).toEqual(['bridge']);
    expect((await readdir(join(stateDir, 'networks'))).length).toBe(1);
    expect(h.calls.some((c) => /^delete br-/.test(c))).toBe(true);
  });

  it('a host with networking off needs no nft at all', async () => {
    const h = fakeHost({ nft: 'missing' });
    const { m } = await open(h, { bridge: false });
    await expect(m.sync()).resolves.toBeUndefined();
    expect(h.calls).toEqual([]); // and forwarding left alone
  });

  it('refuses a fixed address that is taken, the gateway, or outside the subnet', async () => {
    const h = fakeHost();
    const { m } = await open(h);
    await m.create({ name: 'app', subnet: '10.7.0.0/24' });
    expect(() => m.resolveAttachment('app', [], '10.7.0.1')).toThrow('address 10.7.0.1 is not usable on network app (10.7.0.0/24, gateway 10.7.0.1)');
    expect(() => m.resolveAttachment('app', [], '10.8.0.9')).toThrow(/not usable on network app/);
    expect(() => m.resolveAttachment('bridge', [], '172.17.0.9')).toThrow('user specified IP address is supported on user defined networks only');
    const fixed = m.resolveAttachment('app', ['db'], '10.7.0.9');
    await m.attach({ containerId: 'a'.repeat(64), name: 'a', hostname: 'a', pid: 1, attachments: [fixed], portBindings: [], publishAll: [], dns: [] });
    await expect(m.attach({ containerId: 'b'.repeat(64), name: 'b', hostname: 'b', pid: 2, attachments: [fixed], portBindings: [], publishAll: [], dns: [] })).rejects.toThrow('address 10.7.0.9 is already in use on network app');
  });
});
