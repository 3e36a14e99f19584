// The network forms' checks as the user types, and how ports and networks read in the tables.
// The agent checks everything again (overlaps, the host's routes, names taken): these catch the
// typing mistakes before a round trip.

import { formatPorts, isIpv4, type PortEntry } from '@berth/protocol/ports';

/** A network's name as `docker network create` takes it (and the API checks again). */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** The names Docker keeps for itself: they cannot be created. */
export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none', 'default'];

export interface NetworkForm {
  name: string;
  subnet: string;
  gateway: string;
  internal: boolean;
}

export type NetworkFormErrors = Partial<Record<'name' | 'subnet' | 'gateway', string>>;

const toInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** "10.216.3.0/24" → its network address and prefix, or why it is not IPv4 CIDR. */
export function parseCidr(text: string): { network: number; prefix: number } | { error: string } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return { error: 'a subnet is IPv4 CIDR, e.g. 10.10.0.0/24' };
  if (!isIpv4(m[1]!)) return { error: `${m[1]} is not an IPv4 address: each of the four numbers goes from 0 to 255` };
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) return { error: 'the prefix length goes from /8 to /30 (a /31 or /32 leaves no address for containers)' };
  const addr = toInt(m[1]!);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (addr & mask) >>> 0;
  if (network !== addr) {
    const n = [24, 16, 8, 0].map((s) => (network >>> s) & 255).join('.');
    return { error: `${text.trim()} has host bits set: the subnet is ${n}/${prefix}` };
  }
  return { network, prefix };
}

/** Checks `docker network create`'s fields; a field left empty is not an error, but the name. */
export function validateNetworkForm(f: NetworkForm): { errors: NetworkFormErrors; input: { name: string; subnet?: string; gateway?: string; internal: boolean } | null } {
  const errors: NetworkFormErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'a network needs a name';
  else if (!NETWORK_NAME.test(name)) errors.name = 'a network name is [a-zA-Z0-9][a-zA-Z0-9_.-]* (starting with a letter or digit)';
  else if (name.length > 64) errors.name = 'a network name has 64 characters at most';
  else if (PREDEFINED_NETWORKS.includes(name)) errors.name = `${name} is a pre-defined network: choose another name`;

  const subnet = f.subnet.trim();
  const cidr = subnet ? parseCidr(subnet) : null;
  if (cidr && 'error' in cidr) errors.subnet = cidr.error;

  const gateway = f.gateway.trim();
  if (gateway) {
    if (!isIpv4(gateway)) errors.gateway = 'a gateway is an IPv4 address, e.g. 10.10.0.1';
    else if (!subnet) errors.gateway = 'a gateway goes with a subnet: give the subnet too';
    else if (cidr && !('error' in cidr)) {
      const size = 2 ** (32 - cidr.prefix);
      const g = toInt(gateway);
      if (g < cidr.network || g >= cidr.network + size) errors.gateway = `${gateway} is not in ${subnet}`;
      else if (g === cidr.network || g === cidr.network + size - 1) errors.gateway = `${gateway} is the subnet's ${g === cidr.network ? 'network' : 'broadcast'} address: use one between them`;
    }
  }
  if (Object.keys(errors).length) return { errors, input: null };
  return { errors, input: { name, ...(subnet ? { subnet } : {}), ...(gateway ? { gateway } : {}), internal: f.internal } };
}

/** The rows `network rm` refuses: host and none, and the default network, bridge. */
export const isPredefinedNetwork = (n: { name: string; driver: string }): boolean => n.driver !== 'bridge' || n.name === 'bridge';

/** One piece of ps's PORTS text, with the address to link when there is one to trust. */
export interface PortPiece {
  text: string;
  /** http://IP:PORT/ when the port is one tcp port published on a known address of the host. */
  href?: string;
}

/**
 * PORTS as `docker ps` prints it (formatPorts), cut into its comma-separated pieces. A piece
 * links only when it names the host's address itself: a single tcp port published on a
 * specific, non-loopback IPv4 address. 0.0.0.0 says nothing of where the host is, and
 * 127.0.0.1 is the host's loopback, not the browser's, so those stay text.
 */
export function portPieces(entries: readonly PortEntry[]): PortPiece[] {
  const text = formatPorts(entries);
  if (!text) return [];
  return text.split(', ').map((piece) => {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)->\d+\/tcp$/.exec(piece);
    if (m && isIpv4(m[1]!) && m[1] !== '0.0.0.0' && !m[1]!.startsWith('127.')) return { text: piece, href: `http://${m[1]}:${m[2]}/` };
    return { text: piece };
  });
}

/** Docker's NetworkSettings.Ports ({"80/tcp": [{HostIp, HostPort}] | null}) as lines. */
export function portMappings(ports: unknown): { container: string; host: string | null }[] {
  if (!ports || typeof ports !== 'object') return [];
  const out: { container: string; host: string | null }[] = [];
  for (const [container, bindings] of Object.entries(ports as Record<string, unknown>)) {
    if (!Array.isArray(bindings) || bindings.length === 0) {
      out.push({ container, host: null });
      continue;
    }
    for (const b of bindings as { HostIp?: string; HostPort?: string }[]) out.push({ container, host: `${b.HostIp || '0.0.0.0'}:${b.HostPort ?? ''}` });
  }
  return out.sort((a, b) => parseInt(a.container, 10) - parseInt(b.container, 10) || a.container.localeCompare(b.container));
}

/** One endpoint of a container, read from docker inspect's NetworkSettings.Networks. */
export interface ContainerEndpoint {
  network: string;
  networkId: string;
  ipAddress: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  aliases: string[];
}

/** What the container page shows of `docker inspect`: the mode, the endpoints and the ports. */
export function networkView(inspect: unknown): { mode: string; endpoints: ContainerEndpoint[]; ports: { container: string; host: string | null }[] } {
  const o = (inspect && typeof inspect === 'object' ? inspect : {}) as { HostConfig?: { NetworkMode?: unknown }; NetworkSettings?: { Ports?: unknown; Networks?: unknown } };
  const mode = typeof o.HostConfig?.NetworkMode === 'string' ? o.HostConfig.NetworkMode : 'none';
  const nets = o.NetworkSettings?.Networks && typeof o.NetworkSettings.Networks === 'object' ? (o.NetworkSettings.Networks as Record<string, Record<string, unknown>>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const endpoints = Object.entries(nets).map(([network, e]) => ({
    network,
    networkId: str(e.NetworkID),
    ipAddress: str(e.IPAddress),
    prefixLen: typeof e.IPPrefixLen === 'number' ? e.IPPrefixLen : 0,
    gateway: str(e.Gateway),
    macAddress: str(e.MacAddress),
    aliases: Array.isArray(e.Aliases) ? e.Aliases.filter((a): a is string => typeof a === 'string') : [],
  }));
  return { mode, endpoints, ports: portMappings(o.NetworkSettings?.Ports) };
}
