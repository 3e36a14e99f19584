import type { HostFacts, HostMetrics } from '@berth/protocol';

/** What handlers may use of the agent: the runtime's view of this host. */
export interface AgentContext {
  facts(): Promise<HostFacts>;
  metrics(): Promise<HostMetrics>;
}

export class HandlerError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
