// A container's side of networking: what --network, -p, -P, --expose, --dns and --add-host mean
// at create (checked and resolved, so a bad one fails create, not start), and the /etc files
// written at each start once its addresses are known.
import { readFile, writeFile } from 'node:fs/promises';
import { formatResolvConf, nonLoopback, parseResolvConf } from '../network/dns/resolv-conf.ts';
import { hostsFile } from '../network/etc-files.ts';
import { NetworkError } from '../network/manager.ts';
import type { NetworkManager } from '../network/manager.ts';
import type { ContainerConfig, ContainerRecord, ImageConfig } from './config.ts';
import { ContainerError, invalid } from './errors.ts';
import type { ContainerPaths } from './paths.ts';

/** host and none share nothing with berth's networks; anything else names a bridge network. */
export const isBridgeMode = (mode: string | undefined): boolean => mode !== undefined && mode !== 'host' && mode !== 'none';

/** Resolves the network config in place; throws the one error that says what is wrong. */
export function planNetwork(config: ContainerConfig, image: ImageConfig, manager: NetworkManager | undefined): void {
  const mode = config.networkMode ?? 'none';
  if (mode.startsWith('container:')) throw invalid('--network container:NAME is not supported by berth yet: use a user-defined network');
  const ports = config.portBindings ?? [];
  if (!isBridgeMode(mode)) {
    if (ports.length || config.publishAll) throw invalid(`conflicting options: port publishing and the ${mode} network mode; published ports need a bridge network`);
    if (config.networks?.length) throw invalid(`conflicting options: --network ${mode} cannot be combined with other networks`);
    config.networks = [];
  } else {
    if (!manager) throw invalid(`networking is off on this host: use --network none or --network host`);
    const wanted = config.networks?.length ? config.networks : [{ networkId: '', networkName: mode, aliases: [] }];
    try {
      config.networks = wanted.map((a) => manager.resolveAttachment(a.networkName || a.networkId, a.aliases, a.ipv4Address));
    } catch (err) {
      if (err instanceof NetworkError) throw new ContainerError(err.code === 'not-found' ? 'not-found' : 'invalid', err.message);
      throw err;
    }
  }
  // Docker: every published port is exposed too; -P publishes all of them.
  const exposed = new Set([...(config.exposedPorts ?? []), ...Object.keys(image.ExposedPorts ?? {})].map(normalizePort));
  for (const b of ports) exposed.add(`${b.containerPort}/${b.protocol}`);
  config.exposedPorts = [...exposed].sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
}

const normalizePort = (p: string): string => (p.includes('/') ? p.toLowerCase() : `${p}/tcp`);

/** /etc/hosts and /etc/resolv.conf for the run about to start (rewritten in place: they are bind mounts). */
export async function writeEtcFiles(p: ContainerPaths, r: ContainerRecord, manager: NetworkManager | undefined, hostname: string): Promise<void> {
  const endpoints = r.network?.endpoints ?? [];
  const hostNetwork = r.config.networkMode === 'host';
  await writeFile(p.hosts, hostsFile({ hostname, endpoints, extraHosts: r.config.extraHosts ?? [], hostNetwork }));
  const dnsOpts = { endpoints, dns: r.config.dns ?? [], dnsSearch: r.config.dnsSearch ?? [], dnsOptions: r.config.dnsOptions ?? [], hostNetwork };
  const conf = manager ? manager.resolvConf(dnsOpts) : await hostResolvConf(dnsOpts);
  await writeFile(p.resolvConf, formatResolvConf(conf));
}

async function hostResolvConf(o: { dns: readonly string[]; dnsSearch: readonly string[]; dnsOptions: readonly string[]; hostNetwork: boolean }) {
  const host = parseResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
  return {
    nameservers: o.dns.length ? [...o.dns] : o.hostNetwork ? host.nameservers : nonLoopback(host.nameservers),
    search: o.dnsSearch.length ? [...o.dnsSearch] : host.search,
    options: o.dnsOptions.length ? [...o.dnsOptions] : host.options,
  };
}
