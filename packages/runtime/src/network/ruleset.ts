// The agent's nftables rules as a function of its state: one table (ip berth) rebuilt whole and
// replaced atomically in one `nft -j -f -` transaction, so no half-applied ruleset is ever seen
// and other tables on the host are never touched.
import type { NetworkRecord, PortBinding } from './config.ts';

export interface RulesetInput {
  /** The nftables table, "berth" unless tests run beside a real agent. */
  table: string;
  networks: readonly NetworkRecord[];
  /** Published ports of running containers, with the container's address on the network that carries them. */
  forwards: readonly { binding: PortBinding; containerIp: string }[];
}

type Expr = Record<string, unknown>;
type Command = Record<string, unknown>;

const match = (left: unknown, right: unknown, op = '=='): Expr => ({ match: { op, left, right } });
const meta = (key: string) => ({ meta: { key } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const prefix = (cidr: string) => {
  const [addr, len] = cidr.split('/');
  return { prefix: { addr, len: Number(len) } };
};
const LOCAL_DADDR = match({ fib: { result: 'type', flags: ['daddr'] } }, 'local');

export function buildRuleset(input: RulesetInput): { nftables: Command[] } {
  const family = 'ip';
  const table = input.table;
  const cmds: Command[] = [];
  const chain = (name: string, base?: { type: string; hook: string; prio: number }) =>
    cmds.push({ add: { chain: { family, table, name, ...(base ? { ...base, policy: 'accept' } : {}) } } });
  const rule = (chainName: string, ...expr: Expr[]) => cmds.push({ add: { rule: { family, table, chain: chainName, expr } } });

  // add + delete + add: replaces the table whether or not it existed, in one transaction
  cmds.push({ add: { table: { family, name: table } } }, { delete: { table: { family, name: table } } }, { add: { table: { family, name: table } } });

  chain('prerouting', { type: 'nat', hook: 'prerouting', prio: -100 });
  chain('output', { type: 'nat', hook: 'output', prio: -100 });
  chain('postrouting', { type: 'nat', hook: 'postrouting', prio: 100 });
  chain('forward', { type: 'filter', hook: 'forward', prio: 0 });
  chain('input', { type: 'filter', hook: 'input', prio: 0 });
  chain('published');

  // Published ports: traffic to any local address (or the one named) is sent to the container,
  // whether it comes from outside (prerouting) or from the host itself (output).
  rule('prerouting', LOCAL_DADDR, { jump: { target: 'published' } });
  rule('output', LOCAL_DADDR, { jump: { target: 'published' } });
  for (const { binding: b, containerIp } of input.forwards) {
    rule(
      'published',
      ...(b.hostIp ? [match(payload('ip', 'daddr'), b.hostIp)] : []),
      match(payload(b.protocol, 'dport'), b.hostPort),
      { dnat: { addr: containerIp, port: b.containerPort } },
    );
  }

  const bridges = input.networks.map((n) => n.bridge);
  if (bridges.length > 0) {
    cmds.push({ add: { set: { family, table, name: 'bridges', type: 'ifname', elem: bridges } } });
  }
  // route_localnet (needed for published ports on 127.0.0.1) would also let a container with
  // NET_RAW reach the host's loopback-only services by sending to 127.0.0.1 over its bridge
  // (kube-proxy's CVE-2020-8558): nothing new for 127.0.0.0/8 comes in from a bridge. Replies
  // to the host's own connections to published ports on 127.0.0.1 are established, and pass.
  if (bridges.length > 0) {
    rule('input', match(meta('iifname'), '@bridges'), match(payload('ip', 'daddr'), prefix('127.0.0.0/8')), match({ ct: { key: 'state' } }, ['established', 'related'], 'in'), { accept: null });
    rule('input', match(meta('iifname'), '@bridges'), match(payload('ip', 'daddr'), prefix('127.0.0.0/8')), { drop: null });
  }
  // A published port is open to everyone, whichever network they come from.
  rule('forward', match({ ct: { key: 'status' } }, 'dnat', 'in'), { accept: null });
  for (const n of input.networks) {
    const br = n.bridge;
    if (n.internal) {
      // Nothing in or out of an internal network but between its own containers.
      rule('forward', match(meta('iifname'), br), match(meta('oifname'), br, '!='), { drop: null });
      rule('forward', match(meta('oifname'), br), match(meta('iifname'), br, '!='), { drop: null });
    } else {
      // Isolation: no traffic from this network to another berth network.
      rule('forward', match(meta('iifname'), br), match(meta('oifname'), br, '!='), match(meta('oifname'), '@bridges'), { drop: null });
      // Outbound NAT.
      rule('postrouting', match(payload('ip', 'saddr'), prefix(n.subnet)), match(meta('oifname'), br, '!='), { masquerade: null });
    }
    // The host reaching a published port through 127.0.0.1 (route_localnet is on for the bridge).
    rule('postrouting', match(meta('oifname'), br), match(payload('ip', 'saddr'), prefix('127.0.0.0/8')), { masquerade: null });
    // Hairpin: a container reaching a published port of its own network through a host address.
    rule('postrouting', match(meta('oifname'), br), match(meta('iifname'), br), match({ ct: { key: 'status' } }, 'dnat', 'in'), { masquerade: null });
  }
  return { nftables: cmds };
}

/** Removes the table: what the agent does when it stops managing networks. */
export function deleteTableCommand(table: string): { nftables: Command[] } {
  return {
    nftables: [
      { add: { table: { family: 'ip', name: table } } },
      { delete: { table: { family: 'ip', name: table } } },
    ],
  };
}
