// "Add host over SSH" operations started from the API: each runs in this gateway process (the
// SSH connection is made from here), and its events are kept in memory so that a subscriber
// (the dashboard) can watch it, also after a reload. Per process: a second gateway does not see
// them, and a restart forgets them (an install in progress is then cut off with the process).
import { randomUUID } from 'node:crypto';
import type { Actor } from '@berth/core';
import type { InstallStep } from '@berth/core/ssh-install/index';

export type SshAddEvent =
  | { type: 'step'; step: InstallStep }
  /** The host presented a key nobody accepted yet: ask the user, then start again with it. */
  | { type: 'host-key'; fingerprint: string; keyType: string; host: string; port: number }
  | { type: 'done'; fingerprint: string; host: { id: string; name: string } }
  | { type: 'error'; message: string; step: number | null };

const isFinal = (e: SshAddEvent) => e.type !== 'step';

/** How long an ended operation can still be watched. */
export const OPERATION_TTL_MS = 15 * 60_000;
/** Past events kept per operation: the steps' progress lines beyond this are dropped (not the steps' states). */
const MAX_EVENTS = 1000;
/** Installs at once per gateway: each holds an SSH connection and builds a bundle. */
export const MAX_RUNNING = 8;

interface Operation {
  id: string;
  /** `kind:id` of the actor who started it: the only one who may watch it. */
  owner: string;
  hostName: string;
  address: string;
  /** With a sequence number each, so that a watcher follows them when old ones are dropped. */
  events: { seq: number; e: SshAddEvent }[];
  seq: number;
  listeners: Set<() => void>;
  ended: boolean;
  abort: AbortController;
}

export const actorKey = (a: Actor): string => `${a.kind}:${a.id ?? a.name}`;

export class SshOperations {
  private readonly ops = new Map<string, Operation>();

  /** The running operation that installs `hostName` or targets `address`, if any. */
  running(hostName: string, address: string): Operation | undefined {
    for (const op of this.ops.values()) if (!op.ended && (op.hostName === hostName || op.address === address)) return op;
    return undefined;
  }

  runningCount(): number {
    let n = 0;
    for (const op of this.ops.values()) if (!op.ended) n++;
    return n;
  }

  /** Registers an operation; `run` gets the emitter and the signal and must end with a final event. */
  start(actor: Actor, what: { hostName: string; address: string }, run: (emit: (e: SshAddEvent) => void, signal: AbortSignal) => Promise<void>): string {
    const op: Operation = { id: randomUUID(), owner: actorKey(actor), ...what, events: [], seq: 0, listeners: new Set(), ended: false, abort: new AbortController() };
    this.ops.set(op.id, op);
    const emit = (e: SshAddEvent) => this.emit(op, e);
    void run(emit, op.abort.signal)
      .catch((err: unknown) => emit({ type: 'error', message: (err as Error)?.message ?? String(err), step: null }))
      .finally(() => {
        if (!op.ended) emit({ type: 'error', message: 'the operation ended without a result', step: null });
      });
    return op.id;
  }

  private emit(op: Operation, e: SshAddEvent): void {
    if (op.ended) return;
    op.events.push({ seq: ++op.seq, e });
    if (op.events.length > MAX_EVENTS) {
      // drop the oldest progress line (a 'running' step with a detail), keeping the steps' states
      const i = op.events.findIndex(({ e: x }) => x.type === 'step' && x.step.status === 'running' && !!x.step.detail);
      op.events.splice(i >= 0 ? i : 0, 1);
    }
    if (isFinal(e)) {
      op.ended = true;
      setTimeout(() => this.ops.delete(op.id), OPERATION_TTL_MS).unref();
    }
    for (const wake of op.listeners) wake();
  }

  /** The operation if `actor` started it (another actor's is reported as not existing). */
  get(id: string, actor: Actor): Operation | undefined {
    const op = this.ops.get(id);
    return op && op.owner === actorKey(actor) ? op : undefined;
  }

  cancel(id: string, actor: Actor): boolean {
    const op = this.get(id, actor);
    if (!op || op.ended) return false;
    op.abort.abort(new Error('cancelled by the user'));
    return true;
  }

  /** Every event of the operation, past ones first, until its final one (or `signal`). */
  async *watch(op: Operation, signal?: AbortSignal): AsyncGenerator<SshAddEvent> {
    let seen = 0;
    let wake: (() => void) | null = null;
    const listener = () => wake?.();
    op.listeners.add(listener);
    const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
    try {
      while (!signal?.aborted) {
        const next = op.events.find((x) => x.seq > seen);
        if (next) {
          seen = next.seq;
          yield next.e;
          if (isFinal(next.e)) return;
          continue;
        }
        if (op.ended) return;
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
      }
    } finally {
      op.listeners.delete(listener);
    }
  }
}

/** This process's operations (the API module owns them). */
export const sshOperations = new SshOperations();
