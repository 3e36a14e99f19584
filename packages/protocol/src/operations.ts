import { z } from 'zod';
import { HostFacts } from './facts.ts';
import { ContainerOperations } from './containers.ts';
import { ImageOperations } from './images.ts';
import { VolumeOperations } from './volumes.ts';

/**
 * Operations the control plane asks an agent to perform: each names its params and its
 * result schema. The agent's dispatcher must handle every key (checked by the compiler).
 */
export const Operations = {
  'host.facts': { params: z.object({}), result: HostFacts },
  'system.ping': { params: z.object({}), result: z.object({ pong: z.literal(true), at: z.number() }) },
  ...ImageOperations,
  ...ContainerOperations,
  ...VolumeOperations,
} as const;

export type OperationName = keyof typeof Operations;
export type OperationParams<K extends OperationName> = z.infer<(typeof Operations)[K]['params']>;
export type OperationResult<K extends OperationName> = z.infer<(typeof Operations)[K]['result']>;
