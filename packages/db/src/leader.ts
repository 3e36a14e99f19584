import pg from 'pg';

/** The advisory lock key of the reconciler/scheduler leader ("berthldr"). */
export const LEADER_LOCK = 0x62657274;

/**
 * Leadership among processes sharing one Postgres: whoever holds a session-level advisory lock
 * on its own connection leads. The lock goes with the connection, so a leader that dies (or
 * whose connection drops) frees it at once, and another process takes it on its next try.
 */
export class LeaderLease {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly on: { elected: () => void; deposed: () => void; error?: (err: Error) => void },
    private readonly retryMs = 2000,
    private readonly key = LEADER_LOCK,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.url });
        client.on('error', (err) => this.on.error?.(err));
        client.on('end', () => {
          if (this.client === client) this.client = null;
          this.depose();
          this.schedule();
        });
        await client.connect();
        this.client = client;
      }
      const r = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.key]);
      if (r.rows[0]?.ok) {
        this.leading = true;
        this.on.elected();
        return;
      }
    } catch (err) {
      this.on.error?.(err as Error);
      this.client?.end().catch(() => {});
      this.client = null;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.leading || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, this.retryMs);
  }

  private depose(): void {
    if (!this.leading) return;
    this.leading = false;
    this.on.deposed();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.depose();
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}
