import type { HostMetrics, OperationName, OperationParams, OperationResult } from '@berth/protocol';

/**
 * How the API reaches an agent: implemented by the gateway that holds the agent's
 * websocket. Errors are AppErrors (HOST_UNAVAILABLE, AGENT_ERROR, TIMEOUT).
 */
export interface FleetDispatcher {
  request<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, opts?: { idempotencyKey?: string; timeoutMs?: number }): Promise<OperationResult<K>>;
  isConnected(hostId: string): boolean;
  /** Drops a host's connection at once (revocation). */
  disconnect(hostId: string, reason: string): void;
  /** The figures of the host's latest heartbeat, when this process holds its connection. */
  latestMetrics(hostId: string): { at: Date; metrics: HostMetrics } | null;
}

/** For processes that hold no agent connections. */
export const noFleet: FleetDispatcher = {
  request: async () => {
    const { AppError } = await import('../errors.ts');
    throw new AppError('HOST_UNAVAILABLE', 'this process holds no agent connections: run the gateway (./berth up starts it)');
  },
  isConnected: () => false,
  disconnect: () => {},
  latestMetrics: () => null,
};
