// Names and addresses of a lab. Every name embeds the lab id, and the id embeds the pid of
// the process that created the lab, so a later run can find labs whose creator died.
import { createHash, randomInt } from 'node:crypto';
import { join } from 'node:path';

/** Where lab markers and subnet claims live (tmpfs: gone after reboot, like the labs). */
export const LAB_RUN_DIR = '/run/berth-lab';
/** Parent of every lab's root directory. */
export const LAB_TMP_DIR = '/tmp';
/** Each lab takes one /24 out of this /16. */
export const LAB_SUPERNET = '10.213';
/** Third octet kept for infra/lab/lab.sh (id `manual`); generated labs never take it. */
export const MANUAL_OCTET = 250;
/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;
export const MAX_HOSTS = 99;

// pid in base 36, padded to 5 chars (36^5 > 4194304, the kernel's largest pid_max),
// then 2 random chars so two labs of one process differ.
const PID_CHARS = 5;
const ID_PATTERN = /^[0-9a-z]{7}$/;

export function makeLabId(pid: number): string {
  const rand = randomInt(0, 36 * 36).toString(36).padStart(2, '0');
  return pid.toString(36).padStart(PID_CHARS, '0') + rand;
}

export function isLabId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The pid of the process that created the lab, or undefined for ids not made by makeLabId. */
export function pidFromLabId(id: string): number | undefined {
  if (!isLabId(id)) return undefined;
  const pid = parseInt(id.slice(0, PID_CHARS), 36);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export interface LabNames {
  id: string;
  bridge: string;
  rootDir: string;
  marker: string;
  /** Prefix shared by the bridge and every root-side veth of this lab. */
  linkPrefix: string;
  /** Prefix shared by every netns and cgroup parent of this lab. */
  hostPrefix: string;
  netns(n: number): string;
  /** Root-side end of host n's veth pair; the other end is eth0 inside the netns. */
  veth(n: number): string;
  cgroupParent(n: number): string;
  stateDir(n: number): string;
}

export function labNames(id: string): LabNames {
  const linkPrefix = `bl${id}`;
  const hostPrefix = `berth-lab-${id}-`;
  const rootDir = join(LAB_TMP_DIR, `berth-lab-${id}`);
  const names: LabNames = {
    id,
    bridge: linkPrefix,
    rootDir,
    marker: join(LAB_RUN_DIR, `${id}.json`),
    linkPrefix,
    hostPrefix,
    netns: (n) => `${hostPrefix}h${n}`,
    veth: (n) => ifname(`${linkPrefix}h${n}`),
    cgroupParent: (n) => `${hostPrefix}h${n}`,
    stateDir: (n) => join(rootDir, `h${n}`),
  };
  ifname(names.bridge);
  return names;
}

function ifname(name: string): string {
  if (Buffer.byteLength(name) > IFNAME_MAX) {
    throw new Error(`interface name ${name} is longer than ${IFNAME_MAX} bytes; use a shorter lab id or fewer hosts`);
  }
  return name;
}

/** The lab id in a netns name, root dir name or cgroup name (`berth-lab-<id>-...`), if any. */
export function labIdFromHostName(name: string): string | undefined {
  const m = /^berth-lab-([0-9a-z]{7})(?:-|$)/.exec(name);
  return m?.[1];
}

/** The lab id in a bridge or veth name (`bl<id>` or `bl<id>h<n>`), if any. */
export function labIdFromLinkName(name: string): string | undefined {
  const m = /^bl([0-9a-z]{7})(?:h\d+)?$/.exec(name);
  return m?.[1];
}

/** Third octets to try for a lab's /24, in order: a stable start derived from the id, then onwards. */
export function subnetCandidates(id: string): number[] {
  const usable = 250; // 0..249; 250 is the manual lab's
  const start = createHash('sha256').update(id).digest().readUInt16BE(0) % usable;
  return Array.from({ length: usable }, (_, i) => (start + i) % usable);
}

export interface LabSubnet {
  octet: number;
  /** e.g. 10.213.7.0/24 */
  cidr: string;
  /** The bridge address in the root namespace, where the control plane listens. */
  gateway: string;
  hostAddress(n: number): string;
}

export function labSubnet(octet: number): LabSubnet {
  const base = `${LAB_SUPERNET}.${octet}`;
  return {
    octet,
    cidr: `${base}.0/24`,
    gateway: `${base}.1`,
    hostAddress: (n) => `${base}.${10 + n}`,
  };
}
