// The narrow door to the host's network stack: links with `ip`, rules with `nft`, sysctls in
// /proc/sys. Argument arrays only; batches go through stdin, never a shell.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exec } from '../sys/exec.ts';

export interface VethAttachment {
  /** The container's init pid: its network namespace receives the veth's peer. */
  pid: number;
  hostVeth: string;
  /** eth0, eth1... in the container. */
  ifname: string;
  bridge: string;
  ipv4Address: string;
  prefixLen: number;
  macAddress: string;
  /** Set for the container's first network only: its default route. */
  gateway?: string;
}

export interface NetHost {
  /** IPv4 routes' destinations (CIDR) of the host, to refuse subnets that collide with them. */
  routes(): Promise<string[]>;
  /** Creates the bridge with its gateway address, or brings an existing one to that state. */
  ensureBridge(name: string, gatewayCidr: string): Promise<void>;
  deleteLink(name: string): Promise<void>;
  attachVeth(a: VethAttachment): Promise<void>;
  /** Applies an nftables JSON document in one transaction. */
  applyRules(doc: unknown): Promise<void>;
  writeSysctl(key: string, value: string): Promise<void>;
}

export class NetHostError extends Error {
  override readonly name = 'NetHostError';
}

export function hostNet(exec: Exec): NetHost {
  const run = async (argv: string[], what: string, input?: string): Promise<string> => {
    const r = await exec.run(argv, { timeoutMs: 20_000, input });
    if (r.code !== 0) throw new NetHostError(`${what}: ${argv[0]} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  const sysctlPath = (key: string) => `/proc/sys/${key.replaceAll('.', '/')}`;
  return {
    async routes() {
      const out = await run(['ip', '-j', '-4', 'route', 'show', 'table', 'all'], 'listing routes');
      return (JSON.parse(out || '[]') as { dst: string; type?: string }[])
        .filter((r) => r.dst !== 'default' && (r.type === undefined || r.type === 'unicast'))
        .map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
    },
    async ensureBridge(name, gatewayCidr) {
      const existing = JSON.parse((await exec.run(['ip', '-j', 'addr', 'show', 'dev', name])).stdout || '[]') as {
        addr_info?: { family: string; local: string; prefixlen: number }[];
      }[];
      const lines: string[] = [];
      if (existing.length === 0) lines.push(`link add ${name} type bridge`, `link set ${name} addrgenmode none`);
      const has = existing[0]?.addr_info?.some((a) => a.family === 'inet' && `${a.local}/${a.prefixlen}` === gatewayCidr);
      if (!has) lines.push(`addr add ${gatewayCidr} dev ${name}`);
      lines.push(`link set ${name} up`);
      await run(['ip', '-batch', '-'], `setting up bridge ${name}`, `${lines.join('\n')}\n`);
    },
    async deleteLink(name) {
      const r = await exec.run(['ip', 'link', 'delete', name]);
      if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) throw new NetHostError(`deleting ${name}: ${r.stderr.trim()}`);
    },
    async attachVeth(a) {
      // The peer is born inside the container's namespace under its final name.
      const host = [
        `link add ${a.hostVeth} type veth peer name ${a.ifname} netns ${a.pid}`,
        `link set ${a.hostVeth} addrgenmode none`,
        `link set ${a.hostVeth} master ${a.bridge}`,
        `link set ${a.hostVeth} type bridge_slave hairpin on`,
        `link set ${a.hostVeth} up`,
      ];
      await run(['ip', '-batch', '-'], `connecting ${a.hostVeth} to ${a.bridge}`, `${host.join('\n')}\n`);
      const inside = [
        'link set lo up',
        `link set ${a.ifname} address ${a.macAddress}`,
        `addr add ${a.ipv4Address}/${a.prefixLen} dev ${a.ifname}`,
        `link set ${a.ifname} up`,
        ...(a.gateway ? [`route add default via ${a.gateway} dev ${a.ifname}`] : []),
      ];
      await run(['nsenter', `--net=/proc/${a.pid}/ns/net`, '--', 'ip', '-batch', '-'], `configuring ${a.ifname} in the container`, `${inside.join('\n')}\n`);
    },
    async applyRules(doc) {
      // nft opens its -f file by path, and /dev/stdin cannot be opened on the socket Node gives
      // a child for stdin: the document goes through a private temporary file.
      const dir = await mkdtemp(join(tmpdir(), 'berth-nft-'));
      try {
        const file = join(dir, 'rules.json');
        await writeFile(file, JSON.stringify(doc), { mode: 0o600 });
        await run(['nft', '-j', '-f', file], 'applying nftables rules');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async writeSysctl(key, value) {
      await writeFile(sysctlPath(key), value).catch((err: unknown) => {
        throw new NetHostError(`cannot set ${key}=${value}: ${(err as Error).message}`);
      });
    },
  };
}
