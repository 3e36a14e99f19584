import type { HostFacts, HostInventory, HostMetrics, MuxStream, OperationName, OperationParams, OperationResult } from '@berth/protocol';
import type { HostEngine } from '../engine/host-engine.ts';

/** What handlers may use of the agent: the runtime's view of this host and its engine. */
export interface AgentContext {
  facts(): Promise<HostFacts>;
  metrics(): Promise<HostMetrics>;
  /** Containers, images and volumes as `ps -a`, `images` and `volume ls` list them. */
  inventory(): Promise<HostInventory>;
  engine: HostEngine;
  /** An event for the control plane (and from there the dashboard and `berth events`). */
  emit(kind: string, data: Record<string, unknown>): void;
}

/** A request's byte stream, when the control plane opened one for it (logs, exec, pull). */
export interface RequestIo {
  stream: MuxStream | null;
}

export type Handler<K extends OperationName> = (params: OperationParams<K>, ctx: AgentContext, io: RequestIo) => Promise<OperationResult<K>>;

export class HandlerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
