// One container's probe loop: wait, probe, record, again, until stopped. A probe runs only
// after the previous one has ended (or been given up at its timeout), so a hanging check never
// piles up probes; stopping aborts the wait and the probe in flight.
import type { HealthcheckResult } from './config.ts';

export interface HealthMonitorDeps {
  /** How long to wait before the next probe (asked again before each one). */
  delay(): number;
  /** Runs one probe; resolves with its result, never rejects. Aborted when the monitor stops. */
  probe(signal: AbortSignal): Promise<HealthcheckResult>;
  /** Records a result (the monitor may have been stopped meanwhile: `record` checks). */
  record(result: HealthcheckResult): Promise<void>;
}

export class HealthMonitor {
  readonly #deps: HealthMonitorDeps;
  readonly #abort = new AbortController();
  #done: Promise<void> = Promise.resolve();

  constructor(deps: HealthMonitorDeps) {
    this.#deps = deps;
  }

  get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  start(): void {
    this.#done = this.#loop().catch(() => undefined);
  }

  /** Stops at once; the loop winds down on its own (`settled` resolves when it has). */
  stop(): void {
    this.#abort.abort();
  }

  get settled(): Promise<void> {
    return this.#done;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      await abortableSleep(this.#deps.delay(), signal);
      if (signal.aborted) return;
      const result = await this.#deps.probe(signal);
      if (signal.aborted) return;
      await this.#deps.record(result);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    // a container's probes never keep the agent's process alive on their own
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
