// Agents that tests start in the machine's own network namespace (not in a lab netns) get
// networking of their own: a bridge, a /24 in 10.214.0.0/16 no address of the machine uses, an
// nftables table, and no IP forwarding (the machine's setting stays as it was). Or none at all.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** No default bridge: for tests whose agents do not need container networking. */
export const NO_NETWORK_ENV = { BERTH_BRIDGE: 'none', BERTH_IP_FORWARD: '0' } as const;

/**
 * `count` /24s of 10.<second>.0.0/16 that no address or route of the machine uses now, picked
 * from the process id so that test files and runs side by side do not collide. Each kind of test
 * keeps its own second octet: 214 test agents' bridges, 215 the CLI test, 216 the e2e specs,
 * 217 the runtime's network test.
 */
export function freeTestSubnets(second: 214 | 215 | 216 | 217, count = 1): string[] {
  const addrs = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show'], { encoding: 'utf8' })) as { addr_info: { local: string }[] }[];
  const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show'], { encoding: 'utf8' })) as { dst: string }[];
  const taken = new Set([...addrs.flatMap((l) => l.addr_info.map((a) => a.local)), ...routes.map((r) => r.dst)].map((a) => a.split('.').slice(0, 3).join('.')));
  const out: string[] = [];
  const start = (process.pid * 7) % 250;
  for (let i = 0; i < 250 && out.length < count; i++) {
    const prefix = `10.${second}.${((start + i) % 250) + 1}`;
    if (!taken.has(prefix)) out.push(`${prefix}.0/24`);
  }
  if (out.length < count) throw new Error(`no ${count} free /24 in 10.${second}.0.0/16: look for leftover test bridges (ip -br addr)`);
  return out;
}

/** Env for an agent with a default bridge of its own; `tag` is short: [a-z0-9], up to 8. */
export function ownNetworkEnv(tag: string): { BERTH_BRIDGE: string; BERTH_BIP: string; BERTH_NFT_TABLE: string; BERTH_IP_FORWARD: '0'; BERTH_DNS: string } {
  const [subnet] = freeTestSubnets(214) as [string];
  // DNS queries for names no network knows go to loopback, never to the machine's resolvers
  return { BERTH_BRIDGE: `bt${tag}`.slice(0, 15), BERTH_BIP: subnet.replace('.0/24', '.1/24'), BERTH_NFT_TABLE: `berth_${tag}`, BERTH_IP_FORWARD: '0', BERTH_DNS: '127.0.0.1' };
}

/** Removes what such an agent left: its default bridge, its user networks' bridges, its table. */
export function removeOwnNetwork(env: { BERTH_BRIDGE: string; BERTH_NFT_TABLE: string }, agentStateDir: string): void {
  const bridges = [env.BERTH_BRIDGE];
  try {
    for (const f of readdirSync(join(agentStateDir, 'networks'))) {
      if (!f.endsWith('.json')) continue;
      try {
        bridges.push((JSON.parse(readFileSync(join(agentStateDir, 'networks', f), 'utf8')) as { bridge: string }).bridge);
      } catch {
        // half-written record: its bridge, if any, is named br-<id12>
        bridges.push(`br-${f.slice(0, 12)}`);
      }
    }
  } catch {
    // no networks dir: the agent never started networking
  }
  for (const b of new Set(bridges)) {
    try {
      execFileSync('ip', ['link', 'delete', b], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  try {
    execFileSync('nft', ['delete', 'table', 'ip', env.BERTH_NFT_TABLE], { stdio: 'ignore' });
  } catch {
    // no table
  }
}
