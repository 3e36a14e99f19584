// What a network is, as persisted in <stateDir>/networks/<id>.json, and what a running
// container holds on its networks (kept in its container record while it runs).

export interface NetworkRecord {
  id: string;
  name: string;
  created: string;
  /** The Linux bridge: berth0 for the default network, br-<id12> for the others. */
  bridge: string;
  subnet: string;
  gateway: string;
  /** No outbound NAT and no traffic in or out of the bridge, as `docker network create --internal`. */
  internal: boolean;
  labels: Record<string, string>;
  /** The default network ("bridge"): no name resolution between containers, as in Docker. */
  isDefault: boolean;
}

export type PortProtocol = 'tcp' | 'udp';

/**
 * A host port forwarded to a container port; hostIp "" = every address of the host. The same
 * shape as the protocol's (packages/protocol/src/ports.ts), which parses `-p`: the runtime
 * imports no berth package, so it states the shape it works with itself.
 */
export interface PortBinding {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

/** A network a container is configured to join (resolved at create or connect). */
export interface NetworkAttachment {
  networkId: string;
  /** The name when attached, for inspect; the id is what counts. */
  networkName: string;
  aliases: string[];
  /** --ip: a fixed address on this network. */
  ipv4Address?: string;
}

/** A container's live endpoint on one network. */
export interface EndpointState {
  networkId: string;
  networkName: string;
  /** eth0, eth1... inside the container. */
  ifname: string;
  /** The veth end on the bridge, in the host's namespace. */
  hostVeth: string;
  ipv4Address: string;
  prefixLen: number;
  gateway: string;
  macAddress: string;
  aliases: string[];
}

/** What a running container holds: its endpoints and the host ports forwarded to it. */
export interface ContainerNetworkState {
  endpoints: EndpointState[];
  ports: PortBinding[];
}
