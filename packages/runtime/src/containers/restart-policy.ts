// Restart policies and Docker's back-off (moby restartmanager/restartmanager.go), as pure
// functions: the supervisor asks `decideRestart` after every exit.
import type { RestartPolicy } from './config.ts';
import { invalid } from './errors.ts';

export const BACKOFF_INITIAL_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
/** A container that ran this long before exiting starts over at the initial delay. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

/** `--restart no|always|unless-stopped|on-failure[:N]` → policy. */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name, count, ...rest] = text.split(':');
  if (rest.length === 0) {
    if ((name === 'no' || name === 'always' || name === 'unless-stopped' || name === '') && count === undefined) return { name: name === '' ? 'no' : name };
    if (name === 'on-failure') {
      if (count === undefined) return { name, maximumRetryCount: 0 };
      if (/^\d+$/.test(count)) return { name, maximumRetryCount: Number(count) };
      throw invalid(`invalid restart policy "${text}": the maximum retry count must be a non-negative integer (on-failure:3)`);
    }
    if (count !== undefined && (name === 'always' || name === 'unless-stopped' || name === 'no')) {
      throw invalid(`invalid restart policy "${text}": maximum retry count can only be used with on-failure`);
    }
  }
  throw invalid(`invalid restart policy "${text}": use no, always, unless-stopped or on-failure[:max-retries]`);
}

export interface RestartInput {
  policy: RestartPolicy | undefined;
  exitCode: number;
  /** Restarts already done by the policy. */
  restartCount: number;
  /** `stop`/`kill` by a user ended the container. */
  manuallyStopped: boolean;
  /** How long the container ran before this exit. */
  runningMs: number;
  /** The previous back-off delay; 0 when none yet. */
  previousDelayMs: number;
}

export type RestartDecision = { restart: false; reason: string } | { restart: true; delayMs: number };

export function decideRestart(input: RestartInput): RestartDecision {
  const policy = input.policy ?? { name: 'no' };
  if (input.manuallyStopped) return { restart: false, reason: 'stopped by the user' };
  switch (policy.name) {
    case 'no':
      return { restart: false, reason: 'restart policy is "no"' };
    case 'on-failure': {
      if (input.exitCode === 0) return { restart: false, reason: 'exited 0 with policy on-failure' };
      const max = policy.maximumRetryCount ?? 0;
      if (max > 0 && input.restartCount >= max) return { restart: false, reason: `reached the maximum of ${max} restarts` };
      break;
    }
    case 'always':
    case 'unless-stopped':
      break;
  }
  return { restart: true, delayMs: nextDelay(input.previousDelayMs, input.runningMs) };
}

/** 100 ms, doubling each time up to a minute; back to 100 ms after a run of 10 s or more. */
export function nextDelay(previousDelayMs: number, runningMs: number): number {
  if (runningMs >= BACKOFF_RESET_AFTER_MS || previousDelayMs <= 0) return BACKOFF_INITIAL_MS;
  return Math.min(previousDelayMs * 2, BACKOFF_MAX_MS);
}

/** On agent start (or host boot): which stopped containers the policy brings back. */
export function restartOnDaemonStart(policy: RestartPolicy | undefined, manuallyStopped: boolean): boolean {
  const name = policy?.name ?? 'no';
  if (name === 'always') return true;
  if (name === 'unless-stopped') return !manuallyStopped;
  return false;
}
