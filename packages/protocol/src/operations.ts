import { z } from 'zod';
import { HostFacts } from './facts.ts';
import { ContainerOperations } from './containers.ts';
import { ImageOperations } from './images.ts';
import { VolumeOperations } from './volumes.ts';
import { NetworkOperations } from './networks.ts';

/** One row of `docker system df`: TOTAL, ACTIVE, SIZE, RECLAIMABLE (bytes). */
const DfRow = z.object({ total: z.number().int(), active: z.number().int(), size: z.number(), reclaimable: z.number() });

/**
 * Operations the control plane asks an agent to perform: each names its params and its
 * result schema. The agent's dispatcher must handle every key (checked by the compiler).
 */
export const Operations = {
  'host.facts': { params: z.object({}), result: HostFacts },
  'system.ping': { params: z.object({}), result: z.object({ pong: z.literal(true), at: z.number() }) },
  /** `docker system df` */
  'system.df': { params: z.object({}), result: z.object({ images: DfRow, containers: DfRow, volumes: DfRow }) },
  ...ImageOperations,
  ...ContainerOperations,
  ...VolumeOperations,
  ...NetworkOperations,
} as const;

export type OperationName = keyof typeof Operations;
export type OperationParams<K extends OperationName> = z.infer<(typeof Operations)[K]['params']>;
export type OperationResult<K extends OperationName> = z.infer<(typeof Operations)[K]['result']>;
