// Docker's healthchecks as pure functions (moby daemon/health.go, daemon/commit.go merge):
// which probe a container has, when the next one runs, and what a result does to its status.
// The engine's HealthMonitor does the running.
import type { HealthcheckConfig, HealthcheckResult, HealthState, HealthStatus, ImageHealthcheck } from './config.ts';

export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 } as const;
/** Docker keeps this many results, and this much of each one's output. */
export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_BYTES = 4096;

const NS_PER_MS = 1_000_000;

/** A probe ready to run: the command and every timing with defaults applied. */
export interface HealthProbe {
  /** The argv run in the container: CMD's args, or /bin/sh -c for CMD-SHELL. */
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

/** Why a test is not NONE, CMD arg... or CMD-SHELL command; null when it is fine. */
export function healthTestProblem(test: readonly string[]): string | null {
  const [kind, ...rest] = test;
  if (kind === 'NONE') return rest.length ? 'NONE takes no arguments' : null;
  if (kind === 'CMD') return rest.length && rest[0] !== '' ? null : 'CMD needs a command to run';
  if (kind === 'CMD-SHELL') return rest.length === 1 && rest[0]!.trim() !== '' ? null : 'CMD-SHELL takes exactly one command string';
  return `the test must start with NONE, CMD or CMD-SHELL, not ${JSON.stringify(kind ?? '')}`;
}

const fromNs = (ns: number | undefined) => (ns && ns > 0 ? Math.max(1, Math.round(ns / NS_PER_MS)) : undefined);

/**
 * The container's healthcheck: the image's, field by field under the user's (a field the user
 * left out or set to 0 takes the image's), as Docker merges them at create. undefined = none.
 */
export function mergeHealthcheck(image: ImageHealthcheck | undefined, user: HealthcheckConfig | undefined): HealthcheckConfig | undefined {
  const fromImage: HealthcheckConfig | undefined = image
    ? dropUndefined({
        test: image.Test?.length ? [...image.Test] : undefined,
        intervalMs: fromNs(image.Interval),
        timeoutMs: fromNs(image.Timeout),
        startPeriodMs: fromNs(image.StartPeriod),
        startIntervalMs: fromNs(image.StartInterval),
        retries: image.Retries && image.Retries > 0 ? image.Retries : undefined,
      })
    : undefined;
  if (!user) return fromImage && Object.keys(fromImage).length ? fromImage : undefined;
  const pick = <K extends keyof HealthcheckConfig>(k: K) => (user[k] !== undefined && user[k] !== 0 && !(Array.isArray(user[k]) && user[k].length === 0) ? user[k] : fromImage?.[k]);
  return dropUndefined({
    test: pick('test'),
    intervalMs: pick('intervalMs'),
    timeoutMs: pick('timeoutMs'),
    startPeriodMs: pick('startPeriodMs'),
    startIntervalMs: pick('startIntervalMs'),
    retries: pick('retries'),
  });
}

/** The probe a healthcheck runs, or null when it has none (no test, or NONE). */
export function healthProbe(hc: HealthcheckConfig | undefined): HealthProbe | null {
  const test = hc?.test;
  if (!hc || !test?.length || healthTestProblem(test) !== null || test[0] === 'NONE') return null;
  return {
    cmd: test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1] as string] : test.slice(1),
    intervalMs: positive(hc.intervalMs) ?? HEALTH_DEFAULTS.intervalMs,
    timeoutMs: positive(hc.timeoutMs) ?? HEALTH_DEFAULTS.timeoutMs,
    startPeriodMs: positive(hc.startPeriodMs) ?? HEALTH_DEFAULTS.startPeriodMs,
    startIntervalMs: positive(hc.startIntervalMs) ?? HEALTH_DEFAULTS.startIntervalMs,
    retries: positive(hc.retries) ?? HEALTH_DEFAULTS.retries,
  };
}

/** At (re)start: starting again, no failures; the old results stay, as Docker keeps them. */
export function startingHealth(previous: HealthState | undefined): HealthState {
  return { status: 'starting', failingStreak: 0, log: previous ? [...previous.log] : [] };
}

/** Time from the end of one probe to the start of the next (the first waits this too). */
export function nextProbeDelay(probe: HealthProbe, status: HealthStatus | undefined, msSinceStart: number): number {
  // Docker: start interval while starting within the start period, the interval otherwise
  if (msSinceStart < probe.startPeriodMs && status === 'starting') return probe.startIntervalMs;
  return probe.intervalMs;
}

/**
 * A result applied to the health state. Exit 0 → healthy, streak 0. Otherwise the streak grows
 * (not while starting within the start period) and reaching `retries` makes it unhealthy.
 */
export function applyProbeResult(h: HealthState, result: HealthcheckResult, o: { retries: number; startPeriodMs: number; startedAt: string }): HealthState {
  const log = [...h.log, { ...result, output: capOutput(result.output) }].slice(-HEALTH_LOG_ENTRIES);
  if (result.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  const inStartPeriod = h.status === 'starting' && Date.parse(result.start) - Date.parse(o.startedAt) < o.startPeriodMs;
  if (inStartPeriod) return { ...h, log };
  const failingStreak = h.failingStreak + 1;
  return { status: failingStreak >= o.retries ? 'unhealthy' : h.status, failingStreak, log };
}

/** At most HEALTH_OUTPUT_BYTES of UTF-8, cut on a character boundary. */
export function capOutput(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= HEALTH_OUTPUT_BYTES) return text;
  return bytes.subarray(0, HEALTH_OUTPUT_BYTES).toString('utf8').replace(/\uFFFD$/, '');
}

/** Milliseconds as Go prints a time.Duration (200ms, 1.5s, 1m30s), for Docker's timeout message. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${Number(((ms % 60_000) / 1000).toFixed(3))}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
