// IPv4 arithmetic for IPAM and subnet checks: addresses as unsigned 32-bit numbers.

export interface Subnet {
  /** The network address, e.g. 172.17.0.0 */
  address: string;
  prefixLen: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`${ip} is not an IPv4 address`);
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`${ip} is not an IPv4 address`);
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** "10.1.2.0/24" → subnet; refuses host bits set ("10.1.2.3/24") as Docker does. */
export function parseSubnet(cidr: string): Subnet {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new Error(`invalid subnet "${cidr}": use IPv4 CIDR such as 10.10.0.0/24`);
  const prefixLen = Number(m[2]);
  if (prefixLen < 8 || prefixLen > 30) throw new Error(`invalid subnet "${cidr}": the prefix length must be from 8 to 30`);
  const n = ipToInt(m[1] as string);
  if ((n & ~mask(prefixLen)) >>> 0 !== 0) {
    throw new Error(`invalid subnet "${cidr}": host bits are set; did you mean ${intToIp((n & mask(prefixLen)) >>> 0)}/${prefixLen}?`);
  }
  return { address: m[1] as string, prefixLen };
}

export const formatSubnet = (s: Subnet): string => `${s.address}/${s.prefixLen}`;

export function contains(s: Subnet, ip: string): boolean {
  return ((ipToInt(ip) & mask(s.prefixLen)) >>> 0) === ipToInt(s.address);
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const len = Math.min(a.prefixLen, b.prefixLen);
  return ((ipToInt(a.address) & mask(len)) >>> 0) === ((ipToInt(b.address) & mask(len)) >>> 0);
}

/** The first usable address (.1), Docker's default gateway. */
export const firstHost = (s: Subnet): string => intToIp(ipToInt(s.address) + 1);

/** The network and broadcast addresses, which no endpoint may take. */
export function isReserved(s: Subnet, ip: string): boolean {
  const n = ipToInt(ip);
  const base = ipToInt(s.address);
  return n === base || n === (base | ~mask(s.prefixLen)) >>> 0;
}

/** The lowest free host address of the subnet, or null when it is full. */
export function nextFree(s: Subnet, taken: ReadonlySet<string>): string | null {
  const base = ipToInt(s.address);
  const size = 2 ** (32 - s.prefixLen);
  for (let i = 1; i < size - 1; i++) {
    const ip = intToIp(base + i);
    if (!taken.has(ip)) return ip;
  }
  return null;
}

/** Docker's MAC for an address: 02:42 followed by the four bytes of the IPv4 address. */
export function macFor(ip: string): string {
  const n = ipToInt(ip);
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** A route's destination as a subnet, host bits cleared (lenient, unlike parseSubnet). */
export function routePrefix(cidr: string): Subnet {
  const [addr = '0.0.0.0', len = '32'] = cidr.split('/');
  const prefixLen = Number(len);
  return { address: intToIp((ipToInt(addr) & mask(prefixLen)) >>> 0), prefixLen };
}
