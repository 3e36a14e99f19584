import { z } from 'zod';
import { formatSubnet, parseRemapSetting, routePrefix } from '@berth/runtime';

const Env = z.object({
  BERTH_CONTROL_PLANE: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL, e.g. wss://berth.example.com/agent'),
  BERTH_HOST_NAME: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'use lower-case letters, digits and -').optional(),
  BERTH_JOIN_TOKEN: z.string().optional(),
  BERTH_STATE_DIR: z.string().default('/var/lib/berth'),
  /** the cgroup under which containers go, e.g. one per lab host */
  BERTH_CGROUP_PARENT: z.string().regex(/^[A-Za-z0-9._/-]+$/).default('berth'),
  /** PEM file of the CA that signed the control plane's certificate */
  BERTH_CA_FILE: z.string().optional(),
  /** sha256 of the control plane certificate's public key (base64), pinned */
  BERTH_PIN_SHA256: z.string().optional(),
  /** plain ws:// to an address other than loopback */
  BERTH_ALLOW_INSECURE: z.enum(['0', '1']).default('0'),
  /** Docker's registry-mirrors: URLs tried before Docker Hub, comma-separated */
  BERTH_REGISTRY_MIRRORS: z.string().default(''),
  /** Docker's insecure-registries: plain-http registries besides loopback (host:port, names, CIDRs), comma-separated */
  BERTH_INSECURE_REGISTRIES: z.string().default(''),
  /** the default bridge's interface (dockerd's --bridge); none = no default network, containers default to --network none */
  BERTH_BRIDGE: z.string().regex(/^(none|[a-zA-Z][a-zA-Z0-9_.-]{0,14})$/, 'is an interface name of up to 15 characters, or none').default('berth0'),
  /** the default bridge's gateway address and prefix (dockerd's --bip) */
  BERTH_BIP: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'is the gateway address with its prefix, e.g. 172.17.0.1/16').default('172.17.0.1/16'),
  /** turn on net.ipv4.ip_forward so that containers reach beyond the host (dockerd's --ip-forward) */
  BERTH_IP_FORWARD: z.enum(['0', '1']).default('1'),
  /** DNS servers containers' queries go to, comma-separated (dockerd's --dns); default: the host's /etc/resolv.conf */
  BERTH_DNS: z.string().regex(/^(\d{1,3}(\.\d{1,3}){3})?(,\d{1,3}(\.\d{1,3}){3})*$/, 'is a comma-separated list of IPv4 addresses').default(''),
  /** the nftables table (family ip) holding berth's NAT, published ports and isolation rules */
  BERTH_NFT_TABLE: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'is a table name of letters, digits and _').default('berth'),
  /**
   * dockerd's --userns-remap: empty = off; "default" = the user berth-remap (made with a free
   * range in /etc/subuid and /etc/subgid when missing); USER[:GROUP] = that user's and group's ranges
   */
  BERTH_USERNS_REMAP: z.string().default(''),
  BERTH_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** where to look for crun, runc and conmon */
  PATH: z.string().default('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
});
export type AgentEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): AgentEnv {
  const r = Env.safeParse(source);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new Error(`configuration: ${first.path.join('.')} ${first.message}`);
  }
  const env = r.data;
  const url = new URL(env.BERTH_CONTROL_PLANE);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol === 'ws:' && !loopback && env.BERTH_ALLOW_INSECURE !== '1')
    throw new Error(`configuration: BERTH_CONTROL_PLANE ${env.BERTH_CONTROL_PLANE} is plain ws:// to a remote address: use wss://, or set BERTH_ALLOW_INSECURE=1 on a network you trust`);
  try {
    parseRemapSetting(env.BERTH_USERNS_REMAP);
  } catch (err) {
    throw new Error(`configuration: ${(err as Error).message}`);
  }
  for (const m of list(env.BERTH_REGISTRY_MIRRORS)) {
    if (!/^https?:\/\/[^\s/]+/.test(m)) throw new Error(`configuration: BERTH_REGISTRY_MIRRORS entry ${JSON.stringify(m)} is not a URL: use https://mirror.example.com`);
  }
  return env;
}

/** A comma-separated setting as its entries. */
export const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** dockerd's --bip "172.17.0.1/16" as the default network's subnet and gateway. */
export function bipSubnet(bip: string): { subnet: string; gateway: string } {
  return { subnet: formatSubnet(routePrefix(bip)), gateway: bip.split('/')[0] ?? '' };
}
