/**
 * Remembers the outcome of recent requests by idempotency key, so that a command the
 * control plane replays after a reconnect is answered, not done twice.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  constructor(private readonly max = 1000) {}

  run(key: string | undefined, work: () => Promise<unknown>): Promise<unknown> {
    if (!key) return work();
    const seen = this.entries.get(key);
    if (seen) return seen;
    const p = work();
    this.entries.set(key, p);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}
