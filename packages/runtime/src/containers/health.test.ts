import { describe, expect, it } from 'vitest';
import type { HealthcheckResult, HealthState } from './config.ts';
import { applyProbeResult, capOutput, goDuration, healthProbe, healthTestProblem, mergeHealthcheck, nextProbeDelay, startingHealth } from './health.ts';

const startedAt = '2026-11-30T10:00:00.000Z';
const at = (ms: number, exitCode: number, output = ''): HealthcheckResult => ({
  start: new Date(Date.parse(startedAt) + ms).toISOString(),
  end: new Date(Date.parse(startedAt) + ms + 5).toISOString(),
  exitCode,
  output,
});

describe('the effective healthcheck', () => {
  const image = { Test: ['CMD-SHELL', 'wget -q localhost'], Interval: 10e9, Timeout: 2e9, StartPeriod: 0, Retries: 5 };

  it('is the image’s when the user says nothing, in milliseconds', () => {
    expect(mergeHealthcheck(image, undefined)).toEqual({ test: ['CMD-SHELL', 'wget -q localhost'], intervalMs: 10_000, timeoutMs: 2_000, retries: 5 });
    expect(mergeHealthcheck(undefined, undefined)).toBeUndefined();
  });

  it('takes the user’s fields over the image’s, one by one', () => {
    expect(mergeHealthcheck(image, { intervalMs: 200 })).toEqual({ test: ['CMD-SHELL', 'wget -q localhost'], intervalMs: 200, timeoutMs: 2_000, retries: 5 });
    expect(mergeHealthcheck(image, { test: ['CMD', 'true'], retries: 1 })).toEqual({ test: ['CMD', 'true'], intervalMs: 10_000, timeoutMs: 2_000, retries: 1 });
    expect(mergeHealthcheck(undefined, { test: ['CMD-SHELL', 'true'] })).toEqual({ test: ['CMD-SHELL', 'true'] });
  });

  it('NONE turns the image’s off', () => {
    const merged = mergeHealthcheck(image, { test: ['NONE'] });
    expect(merged?.test).toEqual(['NONE']);
    expect(healthProbe(merged)).toBeNull();
  });

  it('runs CMD as given and CMD-SHELL through /bin/sh -c, with Docker’s defaults', () => {
    expect(healthProbe({ test: ['CMD', 'curl', '-f', 'http://localhost'] })).toEqual({
      cmd: ['curl', '-f', 'http://localhost'], intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3,
    });
    expect(healthProbe({ test: ['CMD-SHELL', 'exit 1'], intervalMs: 100 })?.cmd).toEqual(['/bin/sh', '-c', 'exit 1']);
    expect(healthProbe({ intervalMs: 100 })).toBeNull();
  });

  it('says what is wrong with a test', () => {
    expect(healthTestProblem(['CMD'])).toBe('CMD needs a command to run');
    expect(healthTestProblem(['CMD-SHELL', 'a', 'b'])).toBe('CMD-SHELL takes exactly one command string');
    expect(healthTestProblem(['curl'])).toBe('the test must start with NONE, CMD or CMD-SHELL, not "curl"');
    expect(healthTestProblem(['NONE'])).toBeNull();
  });
});

describe('the health status machine', () => {
  const o = { retries: 3, startPeriodMs: 0, startedAt };
  const run = (h: HealthState, results: HealthcheckResult[], opts = o) => results.reduce((s, r) => applyProbeResult(s, r, opts), h);

  it('starting → healthy at the first success', () => {
    expect(run(startingHealth(undefined), [at(100, 1), at(200, 0)])).toMatchObject({ status: 'healthy', failingStreak: 0 });
  });

  it('unhealthy after `retries` failures in a row, healthy again at a success', () => {
    const h = startingHealth(undefined);
    expect(run(h, [at(1, 1), at(2, 1)])).toMatchObject({ status: 'starting', failingStreak: 2 });
    const bad = run(h, [at(1, 1), at(2, 1), at(3, -1)]);
    expect(bad).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
    expect(run(bad, [at(4, 0)])).toMatchObject({ status: 'healthy', failingStreak: 0 });
    const healthy = run(h, [at(1, 0)]);
    expect(run(healthy, [at(2, 1), at(3, 1)])).toMatchObject({ status: 'healthy', failingStreak: 2 });
  });

  it('failures while starting within the start period do not count; after it, they do', () => {
    const opts = { ...o, startPeriodMs: 1000 };
    const early = run(startingHealth(undefined), [at(100, 1), at(200, 1), at(300, 1), at(400, 1)], opts);
    expect(early).toMatchObject({ status: 'starting', failingStreak: 0 });
    expect(early.log).toHaveLength(4);
    expect(run(early, [at(1000, 1), at(1100, 1), at(1200, 1)], opts)).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
    // once healthy, failures count even within the start period
    expect(run(startingHealth(undefined), [at(100, 0), at(200, 1), at(300, 1), at(400, 1)], opts)).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
  });

  it('keeps the last five results, each output cut at 4096 bytes', () => {
    const h = run(startingHealth(undefined), [1, 2, 3, 4, 5, 6, 7].map((n) => at(n, n % 2, `run ${n}`)));
    expect(h.log.map((r) => r.output)).toEqual(['run 3', 'run 4', 'run 5', 'run 6', 'run 7']);
    const long = run(startingHealth(undefined), [at(1, 0, 'é'.repeat(3000))]);
    expect(Buffer.byteLength(long.log[0]!.output)).toBe(4096);
    expect(capOutput('short')).toBe('short');
  });

  it('a restart starts over from starting, keeping the results', () => {
    const bad = run(startingHealth(undefined), [at(1, 1), at(2, 1), at(3, 1)]);
    expect(startingHealth(bad)).toEqual({ status: 'starting', failingStreak: 0, log: bad.log });
  });

  it('probes every start interval while starting within the start period, every interval otherwise', () => {
    const probe = healthProbe({ test: ['CMD', 'true'], intervalMs: 30_000, startPeriodMs: 10_000, startIntervalMs: 500 })!;
    expect(nextProbeDelay(probe, 'starting', 2_000)).toBe(500);
    expect(nextProbeDelay(probe, 'healthy', 2_000)).toBe(30_000);
    expect(nextProbeDelay(probe, 'starting', 10_000)).toBe(30_000);
    expect(nextProbeDelay(healthProbe({ test: ['CMD', 'true'], intervalMs: 200 })!, 'starting', 0)).toBe(200);
  });

  it('words the timeout as Go prints durations', () => {
    expect(goDuration(200)).toBe('200ms');
    expect(goDuration(30_000)).toBe('30s');
    expect(goDuration(90_000)).toBe('1m30s');
  });
});
