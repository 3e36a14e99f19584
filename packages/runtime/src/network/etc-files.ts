// /etc/hosts as Docker writes it into a container (resolv.conf: dns/resolv-conf.ts).
import type { EndpointState } from './config.ts';

export function hostsFile(opts: { hostname: string; endpoints: readonly EndpointState[]; extraHosts: readonly { host: string; ip: string }[]; hostNetwork?: boolean }): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of opts.extraHosts) lines.push(`${h.ip}\t${h.host}`);
  const first = opts.endpoints[0];
  if (first) lines.push(`${first.ipv4Address}\t${opts.hostname}`);
  else if (!opts.hostNetwork) lines.push(`127.0.1.1\t${opts.hostname}`);
  return `${lines.join('\n')}\n`;
}
