import { createHash } from 'node:crypto';
import { ServiceLabels, type ContainerCreate, type ServiceSpec } from '@berth/protocol';

/** A stack's objects are named STACK_NAME, as docker stack deploy names them. */
export const stackScoped = (stack: string | null | undefined, name: string): string => (stack ? `${stack}_${name}` : name);

/**
 * What a replica's container is made of: changing any of it replaces the replicas (a rolling
 * update); changing the rest (replicas, placement, update config, labels) leaves them running.
 */
export function templateOf(spec: ServiceSpec): string {
  const made = { image: spec.image, container: spec.container, networks: spec.networks, secrets: spec.secrets, configs: spec.configs };
  return createHash('sha256').update(canonical(made)).digest('hex').slice(0, 16);
}

/** JSON with sorted keys: the same spec hashes the same whatever order its keys came in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Docker swarm's task names: SERVICE.SLOT.TASKID (global services use the host instead of a slot). */
export function replicaName(service: string, slot: number, hostName: string, replicaId: string): string {
  const id = replicaId.replace(/-/g, '').slice(0, 12);
  return `${service}.${slot > 0 ? slot : hostName}.${id}`;
}

export interface ReplicaIdentity {
  serviceId: string;
  serviceName: string;
  stack: string | null;
  replicaId: string;
  slot: number;
  version: number;
  containerName: string;
}

/** The container the agent is asked to create for one replica. */
export function replicaContainer(spec: ServiceSpec, r: ReplicaIdentity): ContainerCreate {
  const labels: Record<string, string> = {
    ...spec.container.labels,
    [ServiceLabels.service]: r.serviceName,
    [ServiceLabels.serviceId]: r.serviceId,
    [ServiceLabels.replica]: r.replicaId,
    [ServiceLabels.slot]: String(r.slot),
    [ServiceLabels.version]: String(r.version),
  };
  if (r.stack) labels[ServiceLabels.stack] = r.stack;
  const first = spec.networks[0];
  return {
    ...spec.container,
    image: spec.image,
    name: r.containerName,
    labels,
    stdinOnce: false,
    autoRemove: false,
    // the first of its networks at create (the others are connected before start), where the
    // service's name resolves to its replicas as in a compose project
    ...(first ? { network: stackScoped(r.stack, first) } : {}),
    networkAliases: first ? [spec.name] : [],
    // the reconciler adds the secrets and configs, opened just before it sends the create
    files: [],
  };
}

/** The networks a replica joins after its first, by their names on the host. */
export const laterNetworks = (spec: ServiceSpec, stack: string | null): string[] => spec.networks.slice(1).map((n) => stackScoped(stack, n));
