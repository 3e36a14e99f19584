// Labs alive in this process, torn down when the process ends however it ends (best effort:
// SIGKILL cannot be caught, which is what sweepStaleLabs is for).

export interface Destroyable {
  readonly id: string;
  /** Synchronous teardown with no grace period; for exit paths where nothing async runs. */
  destroyNow(): string[];
}

const live = new Map<string, Destroyable>();
let hooked = false;

export function registerLab(lab: Destroyable): void {
  live.set(lab.id, lab);
  if (!hooked) installHooks();
}

export function unregisterLab(id: string): void {
  live.delete(id);
}

function destroyAll(): void {
  for (const lab of [...live.values()]) {
    const errors = lab.destroyNow();
    live.delete(lab.id);
    if (errors.length > 0) console.error(`berth lab ${lab.id}: teardown at exit left pieces behind:\n - ${errors.join('\n - ')}`);
  }
}

function installHooks(): void {
  hooked = true;
  process.on('exit', destroyAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      destroyAll();
      process.off(signal, onSignal);
      // Listening for a signal disables its default action; when nobody else listens, restore it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
