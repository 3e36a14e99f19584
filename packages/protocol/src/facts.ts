import { z } from 'zod';

/** What `docker info` and `docker version` show about a host. */
export const HostFacts = z.object({
  hostname: z.string(),
  kernel: z.string(),
  os: z.string(),
  architecture: z.string(),
  cpus: z.number().int().positive(),
  memoryBytes: z.number().int().nonnegative(),
  cgroupVersion: z.union([z.literal(1), z.literal(2)]),
  cgroupMode: z.enum(['legacy', 'hybrid', 'unified']),
  cgroupDriver: z.string(),
  storageDriver: z.string(),
  backingFilesystem: z.string(),
  runtime: z.object({ name: z.string(), version: z.string(), path: z.string() }).nullable(),
  runtimesRefused: z.array(z.object({ name: z.string(), reason: z.string() })),
  containers: z.object({ total: z.number().int(), running: z.number().int(), paused: z.number().int(), stopped: z.number().int() }),
  images: z.number().int(),
  registryMirrors: z.array(z.string()),
  /** absent from agents of protocol 1.0 */
  insecureRegistries: z.array(z.string()).optional(),
  /** from 1.2: net.ipv4.ip_forward as the agent left it, and the default bridge (null: BERTH_BRIDGE=none) */
  ipForwarding: z.boolean().optional(),
  defaultBridge: z.object({ name: z.string(), subnet: z.string(), gateway: z.string() }).nullable().optional(),
  agentVersion: z.string(),
  stateDir: z.string(),
  /** docker info's Security Options, in the API's form ("name=seccomp,profile=builtin", "name=userns") */
  securityOptions: z.array(z.string()).optional(),
  /** BERTH_USERNS_REMAP: whose subordinate ids containers' ids map to (null: off); absent from older agents */
  usernsRemap: z
    .object({
      user: z.string(),
      group: z.string(),
      uid: z.object({ start: z.number().int().nonnegative(), size: z.number().int().positive() }),
      gid: z.object({ start: z.number().int().nonnegative(), size: z.number().int().positive() }),
    })
    .nullable()
    .optional(),
});
export type HostFacts = z.infer<typeof HostFacts>;

/** Live figures for the dashboard, sent with every heartbeat. */
export const HostMetrics = z.object({
  cpuPercent: z.number().min(0).max(100),
  memoryUsedBytes: z.number().int().nonnegative(),
  memoryTotalBytes: z.number().int().nonnegative(),
  diskUsedBytes: z.number().int().nonnegative(),
  diskTotalBytes: z.number().int().nonnegative(),
});
export type HostMetrics = z.infer<typeof HostMetrics>;
