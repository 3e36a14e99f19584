// iproute2 commands the lab needs. Setup is async; the listings are sync because teardown uses them.
import { check, execSyncArgv, checkSync } from './exec.ts';

export interface Ipv4Address {
  ifname: string;
  local: string;
  prefixlen: number;
}

export async function addBridge(bridge: string, gatewayCidr: string): Promise<void> {
  const what = `creating lab bridge ${bridge}`;
  await check(['ip', 'link', 'add', bridge, 'type', 'bridge'], what);
  // No IPv6 link-local addresses: the lab speaks IPv4 only and stays quiet on the wire.
  await check(['ip', 'link', 'set', bridge, 'addrgenmode', 'none'], what);
  await check(['ip', 'addr', 'add', gatewayCidr, 'dev', bridge], what);
  await check(['ip', 'link', 'set', bridge, 'up'], what);
}

/**
 * A netns joined to the bridge by a veth pair: `veth` on the bridge in the root namespace,
 * eth0 with `addressCidr` inside. Only the connected /24 route exists in the netns: no default
 * route, so nothing in it can reach beyond the lab.
 */
export async function addHostNetns(netns: string, veth: string, bridge: string, addressCidr: string): Promise<void> {
  const what = `creating lab host netns ${netns} (veth ${veth})`;
  await check(['ip', 'netns', 'add', netns], what);
  await check(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns], what);
  await check(['ip', 'link', 'set', veth, 'addrgenmode', 'none'], what);
  await check(['ip', 'link', 'set', veth, 'master', bridge, 'up'], what);
  await check(['ip', '-n', netns, 'link', 'set', 'lo', 'up'], what);
  await check(['ip', '-n', netns, 'link', 'set', 'eth0', 'addrgenmode', 'none'], what);
  await check(['ip', '-n', netns, 'addr', 'add', addressCidr, 'dev', 'eth0'], what);
  await check(['ip', '-n', netns, 'link', 'set', 'eth0', 'up'], what);
}

export async function setLinkUp(ifname: string, up: boolean): Promise<void> {
  await check(['ip', 'link', 'set', ifname, up ? 'up' : 'down'], `setting ${ifname} ${up ? 'up' : 'down'}`);
}

export function listNetns(): string[] {
  const out = checkSync(['ip', '-j', 'netns', 'list'], 'listing network namespaces').trim();
  if (!out) return [];
  return (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

export function listLinks(netns?: string): string[] {
  const out = checkSync(['ip', ...(netns ? ['-n', netns] : []), '-j', 'link', 'show'], `listing links${netns ? ` in netns ${netns}` : ''}`);
  return (JSON.parse(out) as { ifname: string }[]).map((l) => l.ifname);
}

export function listIpv4Addresses(netns?: string): Ipv4Address[] {
  const out = checkSync(['ip', ...(netns ? ['-n', netns] : []), '-j', 'addr', 'show'], `listing addresses${netns ? ` in netns ${netns}` : ''}`);
  const links = JSON.parse(out) as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  return links.flatMap((l) =>
    (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ifname: l.ifname, local: a.local, prefixlen: a.prefixlen })),
  );
}

/** Pids of processes in a netns; empty when the netns is already gone. */
export function netnsPids(netns: string): number[] {
  const r = execSyncArgv(['ip', 'netns', 'pids', netns]);
  if (r.code !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

export function deleteLink(ifname: string): void {
  checkSync(['ip', 'link', 'delete', ifname], `deleting interface ${ifname}`);
}

export function deleteNetns(netns: string): void {
  checkSync(['ip', 'netns', 'delete', netns], `deleting netns ${netns}`);
}
