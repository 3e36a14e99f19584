// Docker's network verbs: network ls|create|inspect|rm|connect|disconnect|prune.
import { createInterface } from 'node:readline/promises';
import { isIpv4, NetworkName, type NetworkSummary } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { labelFlags, parseFlags, type FlagSpec } from '../flags.ts';
import { table } from '../format.ts';
import { apiCode, forEach, hostFor, usage, type VerbContext } from './verbs.ts';

const HOST_FLAG = { host: { type: 'string' as const, short: 'H' } };
const HELP_FLAG = { help: { type: 'boolean' as const } };

export const NETWORK_USAGE = `Usage: berth network COMMAND

Manage networks (-H HOST picks the host, else the only one)

Commands:
  ls [-q] [--no-trunc] [--format json]
                        list networks (every host's with -H all)
  create [--subnet CIDR] [--gateway IP] [--internal] [--label KEY=VALUE] NAME
                        create a bridge network and print its id
  inspect NETWORK...    a network's details, as JSON
  rm NETWORK...         remove networks no container uses
  connect [--alias NAME] [--ip IP] NETWORK CONTAINER
                        connect a container to a network
  disconnect [-f] NETWORK CONTAINER
                        disconnect a container from a network
  prune [-f]            remove every user-defined network no container uses

Run 'berth network COMMAND --help' for more on a command.
`;

const SUB_USAGE: Record<string, string> = {
  ls: `Usage: berth network ls [OPTIONS]

List networks

Options:
  -q, --quiet           only the network ids
      --no-trunc        whole ids
      --format json     one JSON object per line
  -H, --host HOST       the host whose networks to list; -H all for every host's (default: every host's)
`,
  create: `Usage: berth network create [OPTIONS] NETWORK

Create a bridge network and print its id

Options:
  -d, --driver bridge   the driver (only bridge)
      --subnet CIDR     its subnet, as 10.10.0.0/24 (default: a free /24 of the host's pools)
      --gateway IP      the bridge's address (default: the subnet's first)
      --internal        no traffic to or from outside the network
  -l, --label KEY=VALUE set metadata
  -H, --host HOST       the host to create it on
`,
  inspect: `Usage: berth network inspect [OPTIONS] NETWORK [NETWORK...]

Display detailed information on one or more networks, as a JSON array in Docker's field names

Options:
  -H, --host HOST       the host they are on
`,
  rm: `Usage: berth network rm [OPTIONS] NETWORK [NETWORK...]

Remove one or more networks; refused while containers use them (they are named)

Options:
  -f, --force           no error for a network that does not exist
  -H, --host HOST       the host they are on
`,
  connect: `Usage: berth network connect [OPTIONS] NETWORK CONTAINER

Connect a container to a network

Options:
      --alias NAME      another name for the container on the network
      --ip IPV4         its address on the network
  -H, --host HOST       the host they are on
`,
  disconnect: `Usage: berth network disconnect [OPTIONS] NETWORK CONTAINER

Disconnect a container from a network

Options:
  -f, --force           force the container to disconnect
  -H, --host HOST       the host they are on
`,
  prune: `Usage: berth network prune [OPTIONS]

Remove all user-defined networks not used by at least one container

Options:
  -f, --force           do not ask for confirmation
  -H, --host HOST       the host to prune
`,
};

type NetworkRow = NetworkSummary & { host?: string };

/** Parses a network verb's flags; `null` when --help was asked (and printed). */
function flagsFor(ctx: VerbContext, sub: string, argv: string[], spec: FlagSpec) {
  const f = parseFlags(`network ${sub}`, argv, { ...spec, ...HOST_FLAG, ...HELP_FLAG });
  if (!f.bool('help')) return f;
  ctx.io.out(SUB_USAGE[sub] ?? NETWORK_USAGE);
  return null;
}

/** `docker network ls` layout: NETWORK ID (12 characters unless --no-trunc), NAME, DRIVER, SCOPE; HOST when asked for. */
export function networksTable(networks: NetworkRow[], o: { noTrunc: boolean; showHost: boolean }): string {
  return table(
    ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', ...(o.showHost ? ['HOST'] : [])],
    networks.map((n) => [o.noTrunc ? n.id : n.id.slice(0, 12), n.name, n.driver, n.scope, ...(o.showHost ? [n.host ?? ''] : [])]),
  );
}

/** Docker sorts network ls by name (naturally); across hosts, host first. */
const byHostAndName = (a: NetworkRow, b: NetworkRow): number => (a.host ?? '').localeCompare(b.host ?? '') || a.name.localeCompare(b.name, 'en', { numeric: true });

/** `docker network inspect`'s document for one network, in Docker's field names. */
export function dockerNetwork(n: NetworkSummary): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: {}, Config: n.subnet ? [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] : [] },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(n.containers.map((c) => [c.containerId, { Name: c.name, MacAddress: c.macAddress, IPv4Address: c.ipv4Address, IPv6Address: '' }])),
    Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
    Labels: n.labels,
  };
}

async function networkLs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'ls', argv, { quiet: { type: 'boolean', short: 'q' }, 'no-trunc': { type: 'boolean' }, format: { type: 'string' } });
  if (!f) return 0;
  if (f.positionals.length) throw usage('network ls', '[-q] [--no-trunc] [--format json]', `unexpected argument ${JSON.stringify(f.positionals[0])}`);
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`network ls: unknown --format ${format}: only json is supported`);
  const given = f.str('host') ?? ctx.host;
  const host = given === 'all' ? undefined : given;
  const r = await ctx.api.networks.list.query(host ? { host } : {});
  for (const u of r.unavailable) ctx.io.err(`berth: ${u.host}: ${u.reason} (its networks are not listed)\n`);
  const rows = [...r.networks].sort(byHostAndName);
  const noTrunc = f.bool('no-trunc');
  if (f.bool('quiet')) ctx.io.out(rows.map((n) => `${noTrunc ? n.id : n.id.slice(0, 12)}\n`).join(''));
  else if (format === 'json') ctx.io.out(rows.map((n) => `${JSON.stringify(n)}\n`).join(''));
  else ctx.io.out(networksTable(rows, { noTrunc, showHost: given === 'all' || (!host && new Set([...rows.map((n) => n.host), ...r.unavailable.map((u) => u.host)]).size > 1) }));
  return 0;
}

/** A subnet as Docker takes it: IPv4 CIDR. */
const isCidr = (s: string): boolean => {
  const [addr = '', bits, ...extra] = s.split('/');
  return !extra.length && isIpv4(addr) && bits !== undefined && /^\d{1,2}$/.test(bits) && Number(bits) <= 32;
};

async function networkCreate(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'create', argv, {
    driver: { type: 'string', short: 'd' }, subnet: { type: 'string', multiple: true }, gateway: { type: 'string', multiple: true }, internal: { type: 'boolean' },
    label: { type: 'string', short: 'l', multiple: true },
  });
  if (!f) return 0;
  const synopsis = '[--subnet CIDR] [--gateway IP] [--internal] [--label KEY=VALUE] NETWORK';
  if (f.positionals.length !== 1) throw usage('network create', synopsis, 'requires exactly 1 argument');
  const name = f.positionals[0]!;
  const checked = NetworkName.safeParse(name);
  if (!checked.success) throw new UserError(`network create: invalid network name ${JSON.stringify(name)}: ${checked.error.issues[0]!.message}`);
  const driver = f.str('driver');
  if (driver !== undefined && driver !== 'bridge') throw new UserError(`network create: berth creates bridge networks only, not ${JSON.stringify(driver)} (use -d bridge or leave -d out)`);
  const [subnet, ...moreSubnets] = f.list('subnet');
  const [gateway, ...moreGateways] = f.list('gateway');
  if (moreSubnets.length || moreGateways.length) throw new UserError('network create: berth networks have one subnet: give --subnet (and --gateway) once');
  if (subnet !== undefined && !isCidr(subnet)) throw new UserError(`network create: invalid subnet ${JSON.stringify(subnet)}: give IPv4 CIDR, e.g. 10.10.0.0/24`);
  if (gateway !== undefined && !isIpv4(gateway)) throw new UserError(`network create: invalid gateway ${JSON.stringify(gateway)}: give an IPv4 address, e.g. 10.10.0.1`);
  if (gateway !== undefined && subnet === undefined) throw new UserError('network create: every ip-range or gateway must have a corresponding subnet: give --subnet with --gateway');
  const labels = labelFlags('network create', f.list('label'));
  const host = await hostFor(ctx, f.str('host'));
  const n = await ctx.api.networks.create.mutate({ host, name, ...(subnet ? { subnet } : {}), ...(gateway ? { gateway } : {}), internal: f.bool('internal'), labels });
  ctx.io.out(`${n.id}\n`);
  return 0;
}

async function networkInspect(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'inspect', argv, {});
  if (!f) return 0;
  if (!f.positionals.length) throw usage('network inspect', 'NETWORK [NETWORK...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const found: unknown[] = [];
  const code = await forEach(ctx, f.positionals, async (network) => {
    found.push(dockerNetwork(await ctx.api.networks.inspect.query({ host, network })));
    return '';
  });
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

async function networkRm(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'rm', argv, { force: { type: 'boolean', short: 'f' } });
  if (!f) return 0;
  if (!f.positionals.length) throw usage('network rm', 'NETWORK [NETWORK...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (network) => {
    try {
      await ctx.api.networks.remove.mutate({ host, network });
    } catch (err) {
      // -f: a network that is not there is no error (and not printed), as docker does
      if (f.bool('force') && apiCode(err) === 'NOT_FOUND') return '';
      throw err;
    }
  });
}

async function networkConnect(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'connect', argv, { alias: { type: 'string', multiple: true }, ip: { type: 'string' } });
  if (!f) return 0;
  if (f.positionals.length !== 2) throw usage('network connect', '[--alias NAME] [--ip IP] NETWORK CONTAINER', 'requires exactly 2 arguments');
  const [network, container] = f.positionals as [string, string];
  const ip = f.str('ip');
  if (ip !== undefined && !isIpv4(ip)) throw new UserError(`network connect: --ip ${JSON.stringify(ip)} is not an IPv4 address`);
  const host = await hostFor(ctx, f.str('host'));
  await ctx.api.networks.connect.mutate({ host, network, container, aliases: f.list('alias'), ...(ip !== undefined ? { ipv4Address: ip } : {}) });
  return 0;
}

async function networkDisconnect(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'disconnect', argv, { force: { type: 'boolean', short: 'f' } });
  if (!f) return 0;
  if (f.positionals.length !== 2) throw usage('network disconnect', '[-f] NETWORK CONTAINER', 'requires exactly 2 arguments');
  const [network, container] = f.positionals as [string, string];
  const host = await hostFor(ctx, f.str('host'));
  await ctx.api.networks.disconnect.mutate({ host, network, container, force: f.bool('force') });
  return 0;
}

async function networkPrune(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = flagsFor(ctx, 'prune', argv, { force: { type: 'boolean', short: 'f' } });
  if (!f) return 0;
  if (f.positionals.length) throw usage('network prune', '[-f]', `unexpected argument ${JSON.stringify(f.positionals[0])}`);
  const host = await hostFor(ctx, f.str('host'));
  if (!f.bool('force')) {
    const warning = 'WARNING! This will remove all custom networks not used by at least one container.';
    if (!process.stdin.isTTY) throw new UserError(`network prune: ${warning} Add -f to go ahead (stdin is not a terminal to ask)`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (await rl.question(`${warning}\nAre you sure you want to continue? [y/N] `)).trim().toLowerCase();
    rl.close();
    if (answer !== 'y' && answer !== 'yes') return 0;
  }
  const r = await ctx.api.networks.prune.mutate({ host });
  // as docker: the list when something went, nothing otherwise
  if (r.deleted.length) ctx.io.out(`Deleted Networks:\n${r.deleted.map((d) => `${d}\n`).join('')}`);
  return 0;
}

const NETWORK_SUB: Record<string, (ctx: VerbContext, argv: string[]) => Promise<number>> = {
  ls: networkLs, list: networkLs, create: networkCreate, inspect: networkInspect, rm: networkRm, remove: networkRm, connect: networkConnect, disconnect: networkDisconnect, prune: networkPrune,
};

export async function networkCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') return ctx.io.out(NETWORK_USAGE), sub === undefined ? 1 : 0;
  const verb = NETWORK_SUB[sub];
  if (!verb) throw new UserError(`network: unknown command ${JSON.stringify(sub)}: use ls, create, inspect, rm, connect, disconnect or prune`);
  return verb(ctx, rest);
}
