import { AppError } from '../errors.ts';
import type { HostMetrics, MuxStream, OperationName, OperationParams, OperationResult } from '@berth/protocol';

/** What subscribers (the dashboard, `berth events`) hear about the fleet, as it happens. */
export type FleetEvent =
  | { kind: 'host.status'; hostId: string; status: 'online' | 'degraded' | 'offline' | 'revoked'; at: number }
  | { kind: 'host.metrics'; hostId: string; metrics: HostMetrics; at: number }
  /** the host's inventory was stored: what containers.search reads changed */
  | { kind: 'host.inventory'; hostId: string; at: number }
  | { kind: 'agent.event'; hostId: string; type: string; data: Record<string, unknown>; at: number };

export interface RequestOptions {
  idempotencyKey?: string;
  timeoutMs?: number;
  /**
   * The params carry secrets (a replica's secret files): when they must wait in the command
   * outbox for another gateway, they are stored sealed with the control plane's key.
   */
  sensitive?: boolean;
}

/**
 * How the API reaches an agent: implemented by the gateway that holds the agent's
 * websocket. Errors are AppErrors (HOST_UNAVAILABLE, AGENT_ERROR, TIMEOUT).
 */
export interface FleetDispatcher {
  request<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, opts?: RequestOptions): Promise<OperationResult<K>>;
  /**
   * Starts an operation whose data is a byte stream (logs, exec, pull progress): served by
   * the gateway holding the host's connection and never written to the outbox, so pull
   * credentials and log lines are not stored. Resetting the stream cancels the operation.
   * timeoutMs bounds the wait for the result; 0 waits for ever (logs --follow).
   */
  openStream<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, opts?: { timeoutMs?: number }): { stream: MuxStream; result: Promise<OperationResult<K>> };
  isConnected(hostId: string): boolean;
  /** Drops a host's connection at once (revocation). */
  disconnect(hostId: string, reason: string): void;
  /** The figures of the host's latest heartbeat, when this process holds its connection. */
  latestMetrics(hostId: string): { at: Date; metrics: HostMetrics } | null;
  /** Calls `listener` for every fleet event from now on; returns the unsubscribe. */
  subscribe(listener: (e: FleetEvent) => void): () => void;
}

/** For processes that hold no agent connections. */
export const noFleet: FleetDispatcher = {
  request: async () => {
    throw new AppError('HOST_UNAVAILABLE', 'this process holds no agent connections: run the gateway (./berth up starts it)');
  },
  openStream: () => {
    throw new AppError('HOST_UNAVAILABLE', 'this process holds no agent connections: run the gateway (./berth up starts it)');
  },
  isConnected: () => false,
  disconnect: () => {},
  latestMetrics: () => null,
  subscribe: () => () => {},
};
