import { z } from 'zod';

/** Registry credentials, handed to the agent for one operation and never stored there. */
export const RegistryAuth = z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(8192) });
export type RegistryAuth = z.infer<typeof RegistryAuth>;

const ImageRef = z.string().min(1).max(512);

/** One row of `docker images`. */
export const ImageSummary = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  created: z.number(),
  size: z.number().int().nonnegative(),
  /** containers using it, so that `rmi` can say which */
  containers: z.number().int().nonnegative(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

/** One layer's progress during a pull, as `docker pull` draws it. */
export const LayerProgress = z.object({
  digest: z.string(),
  status: z.enum(['waiting', 'downloading', 'verifying', 'extracting', 'complete', 'already exists']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type LayerProgress = z.infer<typeof LayerProgress>;

export const ImageOperations = {
  'image.list': { params: z.object({ all: z.boolean().default(false), dangling: z.boolean().optional() }), result: z.array(ImageSummary) },
  'image.pull': {
    // progress goes to the request's stream (channel 3) as JSON lines of LayerProgress, when
    // there is one; pulls never go through the outbox, so credentials are never stored
    params: z.object({ ref: ImageRef, auth: RegistryAuth.optional() }),
    result: z.object({ id: z.string(), digest: z.string(), ref: z.string() }),
  },
  'image.tag': { params: z.object({ source: ImageRef, target: ImageRef }), result: z.object({ ok: z.literal(true) }) },
  'image.remove': {
    params: z.object({ ref: ImageRef, force: z.boolean().default(false) }),
    result: z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) }),
  },
  'image.inspect': { params: z.object({ ref: ImageRef }), result: z.record(z.string(), z.unknown()) },
  'image.history': {
    params: z.object({ ref: ImageRef }),
    result: z.array(z.object({ id: z.string(), created: z.string().nullable(), createdBy: z.string(), size: z.number(), comment: z.string(), emptyLayer: z.boolean() })),
  },
  /** progress as JSON lines on channel 3, as for pull; never through the outbox (credentials) */
  'image.push': {
    params: z.object({ ref: ImageRef, auth: RegistryAuth.optional() }),
    result: z.object({ ref: z.string(), digest: z.string(), id: z.string(), size: z.number() }),
  },
  /** the archive (docker-archive, also an OCI archive) comes as bytes on channel 1 */
  'image.save': { params: z.object({ refs: z.array(ImageRef).min(1).max(100) }), result: z.object({ ids: z.array(z.string()), names: z.array(z.string()) }) },
  /** the archive goes to the agent as bytes on channel 0, END when complete */
  'image.load': {
    params: z.object({}),
    result: z.object({ format: z.enum(['docker-archive', 'oci-archive']), images: z.array(z.object({ id: z.string(), names: z.array(z.string()) })), messages: z.array(z.string()) }),
  },
  /** `docker search REGISTRY/TERM`: repositories of a registry's catalog whose name contains the term; over a stream (it may carry credentials) */
  'image.search': {
    params: z.object({ registry: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i, 'a registry is a host name with an optional port').max(255), term: z.string().max(255), limit: z.number().int().min(1).max(100).default(25), auth: RegistryAuth.optional() }),
    result: z.array(z.object({ name: z.string() })),
  },
  'image.prune': { params: z.object({ all: z.boolean().default(false) }), result: z.object({ deleted: z.array(z.string()), spaceReclaimed: z.number() }) },
} as const;
