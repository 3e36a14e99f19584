import { AppError, claimCommands, COMMANDS_CHANNEL, completeCommand, expireCommands, HOSTS_CHANNEL, openCommandParams, pruneCommands, type SecretBox } from '@berth/core';
import type { Db, Notifier } from '@berth/db';
import type { OperationName, OperationParams } from '@berth/protocol';
import type { AgentHub } from './agent-hub.ts';
import type { Logger } from './log.ts';

/**
 * Delivers outbox commands to the agents this gateway holds: when a command is enqueued
 * for one of them, when one of them (re)connects (unanswered commands are sent again,
 * under the same idempotency key), and after the listener missed notifications.
 */
export class CommandRelay {
  private readonly inFlight = new Set<string>();
  private readonly delivering = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: { db: Db; hub: AgentHub; notifier: Notifier; log: Logger; secrets?: SecretBox | null }) {
    this.timer = setInterval(() => void this.housekeeping(), 5_000);
    this.timer.unref();
  }

  async start(): Promise<void> {
    const { hub, notifier } = this.o;
    await notifier.listen(COMMANDS_CHANNEL, (payload) => {
      const [kind, hostId] = payload.split(' ');
      if (kind === 'new' && hostId && hub.isConnected(hostId)) this.deliver(hostId);
    });
    await notifier.listen(HOSTS_CHANNEL, (payload) => {
      const [kind, hostId, ...reason] = payload.split(' ');
      if (kind === 'disconnect' && hostId) hub.disconnect(hostId, reason.join(' ') || 'disconnected');
    });
    notifier.onResync(() => hub.connectedHosts().forEach((h) => this.deliver(h)));
    hub.subscribe((e) => {
      if (e.kind === 'host.status' && e.status === 'online') this.deliver(e.hostId);
    });
    hub.connectedHosts().forEach((h) => this.deliver(h));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One delivery pass per host at a time; a request arriving meanwhile triggers another. */
  deliver(hostId: string): void {
    const running = this.delivering.get(hostId);
    const next = (running ?? Promise.resolve()).then(() => this.deliverNow(hostId)).catch((err: Error) => this.o.log('error', 'command delivery failed', { hostId, err: err.message }));
    this.delivering.set(hostId, next);
    void next.finally(() => this.delivering.get(hostId) === next && this.delivering.delete(hostId));
  }

  private async deliverNow(hostId: string): Promise<void> {
    if (!this.o.hub.isConnected(hostId)) return;
    const commands = await claimCommands(hostId, [...this.inFlight], this.o.db);
    for (const c of commands) {
      this.inFlight.add(c.id);
      const timeoutMs = Math.max(1, new Date(c.deadline).getTime() - Date.now());
      Promise.resolve()
        .then(() => this.o.hub.request(hostId, c.op as OperationName, openCommandParams(this.o.secrets ?? null, hostId, c.params) as OperationParams<OperationName>, { idempotencyKey: c.id, timeoutMs }))
        .then(
          (result) => completeCommand(c.id, { ok: true, result }, this.o.db),
          (err: unknown) => {
            // a dropped connection is not an answer: the command stays `sent` and goes again on reconnect
            if (err instanceof AppError && (err.code === 'HOST_UNAVAILABLE' || err.code === 'TIMEOUT')) return;
            const app = err instanceof AppError ? err : null;
            const error = { code: String(app?.details.agentCode ?? app?.code ?? 'internal'), message: String(app?.details.agentMessage ?? (err as Error).message) };
            return completeCommand(c.id, { ok: false, error }, this.o.db);
          },
        )
        .catch((err: Error) => this.o.log('error', 'recording a command result failed', { id: c.id, err: err.message }))
        .finally(() => this.inFlight.delete(c.id));
    }
  }

  private async housekeeping(): Promise<void> {
    try {
      await expireCommands(this.o.db);
      await pruneCommands(undefined, this.o.db);
    } catch (err) {
      this.o.log('warn', 'command housekeeping failed', { err: (err as Error).message });
    }
  }
}
