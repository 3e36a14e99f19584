// In-process coordination: a mutex for read-modify-write of one file, a shared/exclusive lock
// so garbage collection never runs while a pull holds unrecorded blobs, and a map that makes
// concurrent work on one key (a blob, a layer) run once.

export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}

/** Many shared holders (pulls) or one exclusive holder (gc); exclusive waiters go first. */
export class SharedLock {
  private shared = 0;
  private exclusive = false;
  private waiting: { exclusive: boolean; wake: () => void }[] = [];

  async withShared<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await fn();
    } finally {
      this.release(false);
    }
  }

  async withExclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await fn();
    } finally {
      this.release(true);
    }
  }

  private canGo(exclusive: boolean): boolean {
    if (this.exclusive) return false;
    return exclusive ? this.shared === 0 : !this.waiting.some((w) => w.exclusive);
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.canGo(exclusive)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ exclusive, wake: resolve }));
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.exclusive = true;
    else this.shared++;
  }

  private release(exclusive: boolean): void {
    if (exclusive) this.exclusive = false;
    else this.shared--;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as { exclusive: boolean; wake: () => void };
      if (this.exclusive || (next.exclusive ? this.shared > 0 : false)) break;
      this.waiting.shift();
      this.take(next.exclusive);
      next.wake();
      if (next.exclusive) break;
    }
  }
}

/** Concurrent calls for one key share one run; `listeners` lets joiners follow its progress. */
export class OnceMap<T, E> {
  private readonly running = new Map<string, { promise: Promise<T>; listeners: Set<(event: E) => void> }>();

  has(key: string): boolean {
    return this.running.has(key);
  }

  keys(): string[] {
    return [...this.running.keys()];
  }

  /** Runs `fn` unless a run for `key` is in flight, in which case joins it. */
  run(key: string, onEvent: ((event: E) => void) | undefined, fn: (emit: (event: E) => void) => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.running.get(key);
    if (existing) {
      if (onEvent) existing.listeners.add(onEvent);
      return { promise: existing.promise.finally(() => onEvent && existing.listeners.delete(onEvent)), joined: true };
    }
    const listeners = new Set<(event: E) => void>(onEvent ? [onEvent] : []);
    const emit = (event: E): void => listeners.forEach((l) => l(event));
    const promise = fn(emit).finally(() => this.running.delete(key));
    this.running.set(key, { promise, listeners });
    return { promise, joined: false };
  }
}
