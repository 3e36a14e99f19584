import { z } from 'zod';

/** Docker's network names: what `docker network create` accepts. */
export const NetworkName = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'a network name is [a-zA-Z0-9][a-zA-Z0-9_.-]*')
  .max(64);
const Cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'a subnet is IPv4 CIDR, e.g. 10.10.0.0/24');
const Ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address, e.g. 10.10.0.1');
const Ref = z.string().min(1).max(128);

/** One container's endpoint on a network, as `docker network inspect` lists it. */
export const NetworkEndpoint = z.object({
  containerId: z.string(),
  name: z.string(),
  ipv4Address: z.string(),
  macAddress: z.string(),
  aliases: z.array(z.string()),
});

/** `docker network ls` / `inspect`. */
export const NetworkSummary = z.object({
  id: z.string(),
  name: z.string(),
  /** bridge for berth's networks; host and none are the two built-in modes */
  driver: z.enum(['bridge', 'host', 'null']),
  scope: z.literal('local'),
  created: z.string(),
  subnet: z.string().nullable(),
  gateway: z.string().nullable(),
  /** the Linux bridge (berth0, br-<id>) */
  bridge: z.string().nullable(),
  internal: z.boolean(),
  labels: z.record(z.string(), z.string()),
  /** running containers attached now */
  containers: z.array(NetworkEndpoint),
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

const Ok = z.object({ ok: z.literal(true) });

export const NetworkOperations = {
  'network.list': { params: z.object({}), result: z.array(NetworkSummary) },
  'network.create': {
    params: z.object({
      name: NetworkName,
      subnet: Cidr.optional(),
      gateway: Ipv4.optional(),
      internal: z.boolean().default(false),
      labels: z.record(z.string(), z.string()).default({}),
    }),
    result: NetworkSummary,
  },
  'network.inspect': { params: z.object({ network: Ref }), result: NetworkSummary },
  'network.remove': { params: z.object({ network: Ref }), result: Ok },
  'network.connect': {
    params: z.object({ network: Ref, container: Ref, aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)).default([]), ipv4Address: Ipv4.optional() }),
    result: Ok,
  },
  'network.disconnect': { params: z.object({ network: Ref, container: Ref, force: z.boolean().default(false) }), result: Ok },
  'network.prune': { params: z.object({}), result: z.object({ deleted: z.array(z.string()) }) },
} as const;
