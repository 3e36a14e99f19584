// A minimal EventSource for Node (which has none) on fetch, enough for tRPC's
// httpSubscriptionLink: it sends headers (the API token), and it never reconnects on its own.
// A CLI command is one subscription: when the connection drops, the command fails and says so,
// instead of silently starting the operation (a pull, an exec) again.

export interface EventSourceInit {
  headers?: Record<string, string>;
  withCredentials?: boolean;
}

/** The error event: why the stream failed, and the HTTP status when the server answered. */
export interface EventSourceErrorEvent extends Event {
  message: string;
  status?: number;
}

/** Feeds text in; calls `emit` once per complete event (per the HTML spec's parsing rules). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  private lastEventId = '';
  private sawCr = false;

  constructor(private readonly emit: (type: string, data: string, lastEventId: string) => void) {}

  push(text: string): void {
    // a CR at the end of one chunk and an LF at the start of the next are one line break
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = text.endsWith('\r');
    this.buffer += text;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.emit(this.type || 'message', this.data.join('\n'), this.lastEventId);
      this.data = [];
      this.type = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
  }
}

export class FetchEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly url: string;
  readonly withCredentials = false;
  private readonly abort = new AbortController();

  constructor(url: string | URL, init: EventSourceInit = {}) {
    super();
    this.url = String(url);
    void this.run(init.headers ?? {});
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.abort.abort();
  }

  private async run(headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(this.url, { headers: { accept: 'text/event-stream', 'cache-control': 'no-store', ...headers }, signal: this.abort.signal });
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        const body = await res.text().catch(() => '');
        return this.fail(serverMessage(body) ?? `the control plane answered ${res.status} ${res.statusText}`.trim(), res.status);
      }
      if (this.readyState === this.CLOSED) return;
      this.readyState = this.OPEN;
      this.dispatchEvent(new Event('open'));
      const parser = new SseParser((type, data, lastEventId) => {
        if (this.readyState !== this.CLOSED) this.dispatchEvent(new MessageEvent(type, { data, lastEventId }));
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (this.readyState === this.CLOSED) return;
        parser.push(decoder.decode(chunk, { stream: true }));
      }
      this.fail('the control plane closed the stream before it ended');
    } catch (err) {
      if (this.readyState === this.CLOSED) return;
      const cause = (err as { cause?: { code?: string } }).cause;
      this.fail(cause?.code === 'ECONNREFUSED' ? 'cannot reach the control plane: is it running? (./berth up -d)' : `lost the connection to the control plane: ${(err as Error).message}`);
    }
  }

  private fail(message: string, status?: number): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    const e = new Event('error') as EventSourceErrorEvent;
    e.message = message;
    if (status !== undefined) e.status = status;
    this.dispatchEvent(e);
  }
}

/** The message of a tRPC error body ({"error":{"json":{"message":…}}}), when it is one. */
function serverMessage(body: string): string | null {
  try {
    const b = JSON.parse(body) as { error?: { message?: string; json?: { message?: string } } };
    return b.error?.json?.message ?? b.error?.message ?? null;
  } catch {
    return null;
  }
}
