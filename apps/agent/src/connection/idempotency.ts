import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Outcome = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

export class ReplayedFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Remembers the outcome of requests by idempotency key (the control plane's command id),
 * so that a command replayed after a reconnect is answered, not done twice. Outcomes are
 * kept on disk for a day, so a restarted agent remembers them too.
 */
export class IdempotencyCache {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string | null, private readonly keepMs = 24 * 3600_000) {}

  async init(): Promise<void> {
    if (!this.dir) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const now = Date.now();
    for (const name of await readdir(this.dir)) {
      const p = join(this.dir, name);
      if (now - (await stat(p)).mtimeMs > this.keepMs) await rm(p, { force: true });
    }
  }

  run(key: string | undefined, work: () => Promise<unknown>, codeOf: (err: unknown) => string): Promise<unknown> {
    if (!key) return work();
    if (!/^[A-Za-z0-9-]{1,64}$/.test(key)) return Promise.reject(new ReplayedFailure('invalid_params', 'malformed idempotency key'));
    const running = this.running.get(key);
    if (running) return running;
    const p = this.runOnce(key, work, codeOf).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private async runOnce(key: string, work: () => Promise<unknown>, codeOf: (err: unknown) => string): Promise<unknown> {
    const file = this.dir ? join(this.dir, `${key}.json`) : null;
    const seen = file ? await readFile(file, 'utf8').then((t) => JSON.parse(t) as Outcome, () => null) : null;
    if (seen) {
      if (seen.ok) return seen.result;
      throw new ReplayedFailure(seen.error.code, seen.error.message);
    }
    let outcome: Outcome;
    try {
      outcome = { ok: true, result: await work() };
    } catch (err) {
      outcome = { ok: false, error: { code: codeOf(err), message: (err as Error).message } };
    }
    if (file) {
      await writeFile(`${file}.tmp`, JSON.stringify(outcome), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    }
    if (outcome.ok) return outcome.result;
    throw new ReplayedFailure(outcome.error.code, outcome.error.message);
  }
}
