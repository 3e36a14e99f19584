import { z } from 'zod';
import { ContainerCreate } from './containers.ts';

/**
 * Desired state (issue 8): what a user declares, in the shapes of Docker Swarm's services
 * and stacks. The control plane stores these specs (versioned) and its scheduler and
 * reconciler make hosts match them. The CLI, the dashboard, the compose importer and the
 * control plane all share these schemas.
 */

/** A service's or stack's name: it becomes part of container names, so Docker's name rule. */
export const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
export const ServiceName = z.string().regex(SERVICE_NAME, 'a service or stack name is [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters');

/**
 * What each replica's container is made from: the `run` flags that make sense for a
 * replica. Left out: the name (the reconciler names replicas STACK_SERVICE.SLOT.ID), the
 * network fields (a service joins its stack's networks), attach-only flags and --rm.
 */
export const ContainerTemplate = ContainerCreate.omit({
  image: true,
  name: true,
  stdinOnce: true,
  autoRemove: true,
  network: true,
  networkAliases: true,
  ipv4Address: true,
  files: true,
});
export type ContainerTemplate = z.infer<typeof ContainerTemplate>;

/** replicated (a count) or global (one on every host that satisfies the constraints). */
export const ServiceMode = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('replicated'), replicas: z.number().int().min(0).max(10_000) }),
  z.object({ mode: z.literal('global') }),
]);
export type ServiceMode = z.infer<typeof ServiceMode>;

/**
 * Where replicas may go. Constraints are Swarm's expressions, `ATTRIBUTE == VALUE` or
 * `ATTRIBUTE != VALUE`, all of which must hold: node.id, node.hostname, node.labels.KEY,
 * node.platform.os, node.platform.arch, engine.labels.KEY is not supported. Preferences
 * spread replicas evenly over the values of a label (`spread: node.labels.zone`).
 */
export const Placement = z.object({
  constraints: z.array(z.string().min(3).max(256)).max(32).default([]),
  preferences: z.array(z.object({ spread: z.string().min(1).max(256) })).max(8).default([]),
  /** spread: fewest replicas first (Swarm's); binpack: the fullest host that still fits */
  strategy: z.enum(['spread', 'binpack']).default('spread'),
  /** deploy.placement.max_replicas_per_node; absent = no limit */
  maxReplicasPerHost: z.number().int().positive().optional(),
});
export type Placement = z.infer<typeof Placement>;

/** What the scheduler reserves on a host for each replica (deploy.resources.reservations). */
export const Reservations = z.object({
  memoryBytes: z.number().int().nonnegative().default(0),
  cpus: z.number().nonnegative().default(0),
});
export type Reservations = z.infer<typeof Reservations>;

/**
 * How a new version replaces the old, as deploy.update_config. berth's default failure action
 * is rollback (Swarm's is pause): a failed update puts the previous version back by itself.
 */
export const UpdateConfig = z.object({
  /** replicas replaced at once; 0 = all */
  parallelism: z.number().int().min(0).default(1),
  delayMs: z.number().int().min(0).default(0),
  order: z.enum(['stop-first', 'start-first']).default('stop-first'),
  failureAction: z.enum(['pause', 'rollback', 'continue']).default('rollback'),
  /** how long a new replica must stay up (and healthy, when it has a healthcheck) to count as updated */
  monitorMs: z.number().int().min(0).default(5000),
  /** failed replicas tolerated during an update, as a fraction of the replicas */
  maxFailureRatio: z.number().min(0).max(1).default(0),
});
export type UpdateConfig = z.infer<typeof UpdateConfig>;

/** A secret or config given to a service, mounted read-only as a file in each replica. */
export const FileReference = z.object({
  /** the secret's (config's) name */
  source: z.string().regex(SERVICE_NAME),
  /** the path in the container: a bare name goes under /run/secrets/ (secrets) or / (configs) */
  target: z.string().min(1).max(4096).optional(),
  mode: z.number().int().min(0).max(0o777).default(0o444),
  uid: z.string().regex(/^\d+$/).default('0'),
  gid: z.string().regex(/^\d+$/).default('0'),
});
export type FileReference = z.infer<typeof FileReference>;

/** Where a reference is mounted: Docker's /run/secrets/NAME for secrets and /NAME for configs, or its target. */
export function fileTarget(kind: 'secret' | 'config', ref: { source: string; target?: string | undefined }): string {
  const t = ref.target ?? ref.source;
  if (t.startsWith('/')) return t;
  return kind === 'secret' ? `/run/secrets/${t}` : `/${t}`;
}

export const ServiceSpec = z.object({
  name: ServiceName,
  image: z.string().min(1).max(512),
  container: ContainerTemplate,
  /** the service's own labels (deploy.labels); the replicas' labels are in container.labels */
  labels: z.record(z.string(), z.string()).default({}),
  mode: ServiceMode.default({ mode: 'replicated', replicas: 1 }),
  placement: Placement.default({ constraints: [], preferences: [], strategy: 'spread' }),
  reservations: Reservations.default({ memoryBytes: 0, cpus: 0 }),
  update: UpdateConfig.default({ parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'rollback', monitorMs: 5000, maxFailureRatio: 0 }),
  /** names of the stack's networks this service joins (created on each host it runs on) */
  networks: z.array(z.string().regex(SERVICE_NAME)).default([]),
  secrets: z.array(FileReference).default([]),
  configs: z.array(FileReference).default([]),
  /**
   * compose's depends_on: the reconciler starts this service's replicas once each named
   * service of the stack has its replicas running (service_started) or healthy (service_healthy)
   */
  dependsOn: z.array(z.object({ service: z.string().regex(SERVICE_NAME), condition: z.enum(['service_started', 'service_healthy']).default('service_started') })).default([]),
});
export type ServiceSpec = z.infer<typeof ServiceSpec>;
/** What callers write: every field with a default may be left out. */
export type ServiceSpecInput = z.input<typeof ServiceSpec>;

export const StackNetwork = z.object({
  name: z.string().regex(SERVICE_NAME),
  internal: z.boolean().default(false),
  /** created by someone else: used by name, never created or removed by the stack */
  external: z.boolean().default(false),
  subnet: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type StackNetwork = z.infer<typeof StackNetwork>;

export const StackVolume = z.object({
  name: z.string().regex(SERVICE_NAME),
  external: z.boolean().default(false),
  labels: z.record(z.string(), z.string()).default({}),
});
export type StackVolume = z.infer<typeof StackVolume>;

/** A secret or config a stack creates; `data` is its content, base64. */
export const StackFile = z.object({
  name: z.string().regex(SERVICE_NAME),
  external: z.boolean().default(false),
  data: z.string().optional(),
});
export type StackFile = z.infer<typeof StackFile>;

/** A stack: services deployed and removed together, as `docker stack deploy` makes them. */
export const StackSpec = z.object({
  name: ServiceName,
  /** names as written in the stack (web); the services are named STACK_NAME (shop_web) */
  services: z.array(ServiceSpec).max(200),
  networks: z.array(StackNetwork).default([]),
  volumes: z.array(StackVolume).default([]),
  secrets: z.array(StackFile).default([]),
  configs: z.array(StackFile).default([]),
});
export type StackSpec = z.infer<typeof StackSpec>;

/** Labels the reconciler puts on every replica: it touches only containers that carry them. */
export const ServiceLabels = {
  service: 'berth.service',
  serviceId: 'berth.service.id',
  stack: 'com.docker.stack.namespace',
  slot: 'berth.service.slot',
  version: 'berth.service.version',
  replica: 'berth.service.replica',
  /** on the networks the reconciler makes for a stack: it removes only these once the stack is gone */
  stackNetwork: 'berth.stack.network',
} as const;
