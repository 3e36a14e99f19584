import type { Db, Notifier } from '@berth/db';
import { Operations, type OperationName, type OperationParams, type OperationResult } from '@berth/protocol';
import { AppError, agentFailure } from '../errors.ts';
import { COMMANDS_CHANNEL, enqueueCommand } from './service.ts';

export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/**
 * Sends requests to agents through the command outbox: works from any process on the
 * database (web or gateway), whichever gateway holds the host's connection.
 */
export class OutboxRequester {
  private readonly waiters = new Map<string, () => void>();
  private ready: Promise<unknown>;

  constructor(private readonly db: Db, notifier: Notifier) {
    this.ready = notifier.listen(COMMANDS_CHANNEL, (payload) => {
      const [kind, id] = payload.split(' ');
      if (kind === 'done' && id) this.waiters.get(id)?.();
    });
    // notifications missed while the listener was down: look at every waiter's row again
    notifier.onResync(() => this.waiters.forEach((w) => w()));
  }

  async request<K extends OperationName>(hostId: string, op: K, params: OperationParams<K>, o: { timeoutMs?: number } = {}): Promise<OperationResult<K>> {
    // the outbox is a table: credentials must never be written to it (they go over streams)
    if (params && typeof params === 'object' && (params as { auth?: unknown }).auth !== undefined) throw new AppError('INVALID', `${op} carries registry credentials: it must be sent over a stream, never through the command outbox`);
    await this.ready;
    const host = await this.db.host.findUnique({ where: { id: hostId }, select: { name: true, status: true } });
    if (!host) throw new AppError('NOT_FOUND', 'no such host: `berth hosts` lists them', { hostId });
    if (host.status !== 'online' && host.status !== 'degraded') throw new AppError('HOST_UNAVAILABLE', `host ${host.name} is ${host.status}: check the agent on that machine`, { hostId });
    const timeoutMs = o.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const deadline = new Date(Date.now() + timeoutMs);
    const id = await enqueueCommand(hostId, op, params, deadline, this.db);
    const row = await this.wait(id, deadline);
    if (!row || row.status === 'pending' || row.status === 'sent' || row.status === 'expired') {
      await this.db.command.updateMany({ where: { id, status: { in: ['pending', 'sent'] } }, data: { status: 'expired', finishedAt: new Date() } });
      throw new AppError('TIMEOUT', `host ${host.name} did not answer ${op} within ${timeoutMs / 1000} s`, { hostId, op });
    }
    if (row.status === 'failed') {
      throw agentFailure(host.name, hostId, op, row.error as { code?: string; message?: string } | null);
    }
    const parsed = Operations[op].result.safeParse(row.result);
    if (!parsed.success) throw new AppError('AGENT_ERROR', `host ${host.name} answered ${op} with malformed data`, { hostId, op });
    return parsed.data as OperationResult<K>;
  }

  private async wait(id: string, deadline: Date) {
    for (;;) {
      const row = await this.db.command.findUnique({ where: { id }, select: { status: true, result: true, error: true } });
      if (!row || (row.status !== 'pending' && row.status !== 'sent')) return row;
      const left = deadline.getTime() - Date.now();
      if (left <= 0) return row;
      // woken by NOTIFY; the timer is a backstop for a notification lost in a reconnect
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 2000));
        this.waiters.set(id, () => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters.delete(id);
    }
  }
}
