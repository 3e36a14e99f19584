import type { PortEntry } from '@berth/protocol';
import type { ContainerRecord } from '@berth/runtime';

/** Published ports while it runs, plus every exposed port not published: ps's PORTS. */
export function portEntries(r: ContainerRecord): PortEntry[] {
  const published = r.network?.ports ?? [];
  const out: PortEntry[] = published.map((b) => ({ containerPort: b.containerPort, protocol: b.protocol, hostIp: b.hostIp, hostPort: b.hostPort }));
  for (const e of r.config.exposedPorts ?? []) {
    const [port, proto] = e.split('/');
    const protocol = proto === 'udp' ? 'udp' : 'tcp';
    if (!published.some((b) => b.containerPort === Number(port) && b.protocol === protocol)) out.push({ containerPort: Number(port), protocol });
  }
  return out;
}

/** The networks it is on: bridge networks by name, or its mode (host, none). */
export function networkNames(r: ContainerRecord): string[] {
  const attached = (r.config.networks ?? []).map((n) => n.networkName);
  return attached.length ? attached : [r.config.networkMode ?? 'none'];
}

/** `docker inspect`'s NetworkSettings and the network parts of HostConfig and Config. */
export function dockerNetworkInspect(r: ContainerRecord): { hostConfig: Record<string, unknown>; config: Record<string, unknown>; networkSettings: Record<string, unknown> } {
  const c = r.config;
  const eps = r.network?.endpoints ?? [];
  const portMap: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const e of c.exposedPorts ?? []) portMap[e] = null;
  for (const b of r.network?.ports ?? []) (portMap[`${b.containerPort}/${b.protocol}`] ??= []).push({ HostIp: b.hostIp || '0.0.0.0', HostPort: String(b.hostPort) });
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of c.portBindings ?? []) (bindings[`${b.containerPort}/${b.protocol}`] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPort ? String(b.hostPort) : '' });
  const first = eps[0];
  return {
    hostConfig: {
      NetworkMode: c.networkMode ?? 'none',
      PortBindings: bindings,
      PublishAllPorts: !!c.publishAll,
      Dns: c.dns ?? [],
      DnsSearch: c.dnsSearch ?? [],
      DnsOptions: c.dnsOptions ?? [],
      ExtraHosts: (c.extraHosts ?? []).map((h) => `${h.host}:${h.ip}`),
    },
    config: { ExposedPorts: Object.fromEntries((c.exposedPorts ?? []).map((p) => [p, {}])) },
    networkSettings: {
      Ports: portMap,
      IPAddress: first?.ipv4Address ?? '',
      IPPrefixLen: first?.prefixLen ?? 0,
      Gateway: first?.gateway ?? '',
      MacAddress: first?.macAddress ?? '',
      Networks: Object.fromEntries(
        (c.networks ?? []).map((a) => {
          const ep = eps.find((e) => e.networkId === a.networkId);
          return [
            a.networkName,
            {
              NetworkID: a.networkId,
              Aliases: a.aliases,
              IPAddress: ep?.ipv4Address ?? '',
              IPPrefixLen: ep?.prefixLen ?? 0,
              Gateway: ep?.gateway ?? '',
              MacAddress: ep?.macAddress ?? '',
              ...(a.ipv4Address ? { IPAMConfig: { IPv4Address: a.ipv4Address } } : {}),
            },
          ];
        }),
      ),
    },
  };
}
