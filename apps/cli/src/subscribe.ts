// A tRPC subscription as an async iterable: `for await (const e of subscription(...))`.
// Ends when the server ends the stream; throws the server's error. tRPC's client would
// reconnect (and so start the operation again) on some errors: here the first error ends it.

export interface SubscriptionHandlers<T> {
  onData(data: T): void;
  onError(err: unknown): void;
  onComplete(): void;
  onConnectionStateChange(state: { state: string; error: unknown }): void;
}

export async function* subscription<T>(start: (handlers: SubscriptionHandlers<T>) => { unsubscribe(): void }, signal?: AbortSignal): AsyncGenerator<T> {
  const queue: T[] = [];
  let done = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let sub: { unsubscribe(): void } | null = null;
  let stopRequested = false;
  const stop = () => {
    stopRequested = true;
    sub?.unsubscribe();
  };
  const onAbort = () => {
    done = true;
    stop();
    notify();
  };
  sub = start({
    onData: (d) => {
      queue.push(d);
      notify();
    },
    onError: (err) => {
      failure ??= err;
      done = true;
      notify();
    },
    onComplete: () => {
      done = true;
      notify();
    },
    onConnectionStateChange: (s) => {
      // "connecting" with an error: the connection failed, or the server sent an error tRPC
      // would retry (an agent failure); either way this command is over
      if (s.state === 'connecting' && s.error) {
        failure ??= s.error;
        done = true;
        stop();
        notify();
      }
    },
  });
  if (stopRequested) sub.unsubscribe();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        continue;
      }
      if (done) break;
      await new Promise<void>((r) => (wake = r));
    }
    if (failure && !signal?.aborted) throw failure;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    sub.unsubscribe();
  }
}
