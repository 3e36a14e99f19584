import { z } from 'zod';
import { HostFacts, HostMetrics } from '@berth/protocol';

export const HostRef = z.object({ host: z.string().min(1).max(64) });

export const HostView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['pending', 'online', 'degraded', 'offline', 'revoked']),
  agentVersion: z.string().nullable(),
  lastSeenAt: z.date().nullable(),
  enrolledAt: z.date().nullable(),
  facts: HostFacts.nullable(),
  labels: z.record(z.string(), z.string()),
  /** the team that owns it */
  team: z.object({ id: z.string(), name: z.string() }),
  /** live figures from the latest heartbeat; null while the host is not connected here */
  metrics: HostMetrics.extend({ at: z.date() }).nullable(),
});
