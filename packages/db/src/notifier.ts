import pg from 'pg';

export type NotificationHandler = (payload: string) => void;

/**
 * One Postgres connection that LISTENs for this process. Notifications sent while it was
 * disconnected are lost, so after every reconnect `onResync` runs: callers rescan what
 * they would have been told about.
 */
export class Notifier {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private closed = false;
  private attempt = 0;
  private readonly resync = new Set<() => void>();

  constructor(private readonly url: string, private readonly onError: (err: Error) => void = () => {}) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => this.handlers.get(n.channel)?.forEach((h) => h(n.payload ?? '')));
    client.on('error', (err) => this.onError(err));
    client.on('end', () => {
      if (this.client === client) this.client = null;
      if (!this.closed) this.reconnectLater();
    });
    await client.connect();
    for (const channel of this.handlers.keys()) await client.query(`LISTEN "${channel}"`);
    this.client = client;
    this.attempt = 0;
  }

  private reconnectLater(): void {
    const delay = Math.min(30_000, 250 * 2 ** this.attempt++);
    setTimeout(() => {
      if (this.closed) return;
      this.start().then(() => this.resync.forEach((f) => f()), (err: Error) => {
        this.onError(err);
        this.reconnectLater();
      });
    }, delay).unref();
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.client?.query(`LISTEN "${channel}"`);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  onResync(f: () => void): () => void {
    this.resync.add(f);
    return () => this.resync.delete(f);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}
