// Picks a free /24 for a lab: not overlapping any address on the machine, and claimed with an
// exclusive file so two labs created at once (vitest runs files in parallel) never share one.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listIpv4Addresses } from './ip.ts';
import type { Ipv4Address } from './ip.ts';
import { LAB_RUN_DIR, labSubnet, subnetCandidates } from './naming.ts';
import type { LabSubnet } from './naming.ts';

const CLAIM_PREFIX = 'subnet-';

export function claimSubnet(id: string, inUse: Ipv4Address[] = listIpv4Addresses()): LabSubnet {
  mkdirSync(LAB_RUN_DIR, { recursive: true });
  for (const octet of subnetCandidates(id)) {
    const subnet = labSubnet(octet);
    if (inUse.some((a) => overlaps(subnet.cidr, `${a.local}/${a.prefixlen}`))) continue;
    try {
      writeFileSync(claimPath(octet), id, { flag: 'wx' });
      return subnet;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // another lab holds it
      throw e;
    }
  }
  throw new Error(`lab ${id}: no free /24 left in 10.213.0.0/16; run sweepStaleLabs() or \`infra/lab/lab.sh status\` to find leftover labs`);
}

/** Releases every subnet claimed by lab `id`. */
export function releaseSubnets(id: string): void {
  for (const claim of listSubnetClaims()) {
    if (claim.id === id) rmSync(claim.path, { force: true });
  }
}

export function listSubnetClaims(): { path: string; id: string }[] {
  let files: string[];
  try {
    files = readdirSync(LAB_RUN_DIR);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.startsWith(CLAIM_PREFIX))
    .flatMap((f) => {
      const path = join(LAB_RUN_DIR, f);
      try {
        return [{ path, id: readFileSync(path, 'utf8').trim() }];
      } catch {
        return []; // released meanwhile
      }
    });
}

function claimPath(octet: number): string {
  return join(LAB_RUN_DIR, `${CLAIM_PREFIX}${octet}`);
}

/** Whether two IPv4 prefixes share any address. */
export function overlaps(a: string, b: string): boolean {
  const [na, la] = parseCidr(a);
  const [nb, lb] = parseCidr(b);
  const len = Math.min(la, lb);
  return network(na, len) === network(nb, len);
}

function parseCidr(cidr: string): [number, number] {
  const [addr, len] = cidr.split('/');
  const octets = (addr ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`not an IPv4 prefix: ${cidr}`);
  }
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  return [value, len === undefined ? 32 : Number(len)];
}

function network(value: number, len: number): number {
  return len === 0 ? 0 : Math.floor(value / 2 ** (32 - len));
}
