// Where requests for a registry go: mirrors first (Docker's registry-mirrors, for docker.io),
// then the registry itself; plain http only for registries listed as insecure.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_DOMAIN } from './reference.ts';

/** Docker's defaults: loopback is always insecure. localhost is matched by name (no DNS lookup). */
export const DEFAULT_INSECURE_REGISTRIES: readonly string[] = ['127.0.0.0/8', '::1/128', 'localhost'];

/** Docker Hub's API host: docker.io names it, registry-1.docker.io serves it. */
export const DOCKER_HUB_SERVER = 'https://registry-1.docker.io';

export interface RegistryHostsConfig {
  /**
   * Registries reached over plain http, besides loopback (always, as in Docker): CIDRs
   * (10.0.0.0/8), IPs, host names or host:port.
   */
  insecureRegistries?: readonly string[];
  /** Mirrors for docker.io, tried in order before Docker Hub (Docker's `registry-mirrors`). */
  registryMirrors?: readonly string[];
  /** Mirrors for other registries, by registry domain (containerd's hosts.toml). */
  mirrors?: Readonly<Record<string, readonly string[]>>;
  /** Base URL overrides by registry domain, e.g. { 'docker.io': 'http://127.0.0.1:5000' }. */
  servers?: Readonly<Record<string, string>>;
}

export interface Endpoint {
  /** scheme://host[:port], no trailing slash. */
  url: string;
  /** A mirror: failures fall through to the next endpoint; pulls only. */
  mirror: boolean;
}

function splitHostPort(hostPort: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (v6) return { host: v6[1] as string, port: v6[2] };
  const i = hostPort.lastIndexOf(':');
  return i === -1 ? { host: hostPort } : { host: hostPort.slice(0, i), port: hostPort.slice(i + 1) };
}

/** Is `hostPort` (a registry domain: host[:port]) listed as insecure? */
export function isInsecureRegistry(hostPort: string, insecure: readonly string[] = []): boolean {
  const { host } = splitHostPort(hostPort);
  const list = [...DEFAULT_INSECURE_REGISTRIES, ...insecure];
  const blocks = new BlockList();
  for (const entry of list) {
    if (entry === hostPort || entry.toLowerCase() === host.toLowerCase()) return true;
    const [net, prefix] = entry.split('/');
    if (net === undefined || prefix === undefined) continue;
    if (isIPv4(net)) blocks.addSubnet(net, Number(prefix), 'ipv4');
    else if (isIPv6(net)) blocks.addSubnet(net, Number(prefix), 'ipv6');
  }
  if (isIPv4(host)) return blocks.check(host, 'ipv4');
  if (isIPv6(host)) return blocks.check(host, 'ipv6');
  return false;
}

function withScheme(url: string, insecure: readonly string[] | undefined): string {
  const trimmed = url.replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) return trimmed;
  return `${isInsecureRegistry(trimmed, insecure) ? 'http' : 'https'}://${trimmed}`;
}

/** The endpoints to try for `domain`, in order: mirrors (pull only), then the registry. */
export function registryEndpoints(domain: string, config: RegistryHostsConfig, purpose: 'pull' | 'push'): Endpoint[] {
  const mirrors = purpose === 'pull' ? [...(domain === DEFAULT_DOMAIN ? (config.registryMirrors ?? []) : []), ...(config.mirrors?.[domain] ?? [])] : [];
  const server = config.servers?.[domain] ?? (domain === DEFAULT_DOMAIN ? DOCKER_HUB_SERVER : domain);
  return [
    ...mirrors.map((m) => ({ url: withScheme(m, config.insecureRegistries), mirror: true })),
    { url: withScheme(server, config.insecureRegistries), mirror: false },
  ];
}
