import { z } from 'zod';

const VolumeName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'a volume name is [a-zA-Z0-9][a-zA-Z0-9_.-]+').max(128);

/** `docker volume ls` / `inspect`. */
export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.literal('local'),
  mountpoint: z.string(),
  createdAt: z.string(),
  labels: z.record(z.string(), z.string()),
  anonymous: z.boolean(),
  /** names of the containers that mount it */
  usedBy: z.array(z.string()),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const VolumeOperations = {
  'volume.list': { params: z.object({}), result: z.array(VolumeSummary) },
  'volume.create': { params: z.object({ name: VolumeName.optional(), labels: z.record(z.string(), z.string()).default({}) }), result: VolumeSummary },
  'volume.inspect': { params: z.object({ name: VolumeName }), result: VolumeSummary },
  'volume.remove': { params: z.object({ name: VolumeName }), result: z.object({ ok: z.literal(true) }) },
  'volume.prune': { params: z.object({ all: z.boolean().default(false) }), result: z.object({ deleted: z.array(z.string()) }) },
} as const;
