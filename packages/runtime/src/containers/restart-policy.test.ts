import { describe, expect, it } from 'vitest';
import { BACKOFF_MAX_MS, decideRestart, nextDelay, parseRestartPolicy, restartOnDaemonStart } from './restart-policy.ts';
import type { RestartInput } from './restart-policy.ts';

const base: RestartInput = { policy: { name: 'always' }, exitCode: 1, restartCount: 0, manuallyStopped: false, runningMs: 50, previousDelayMs: 0 };

describe('restart policy', () => {
  it('parses --restart values', () => {
    expect(parseRestartPolicy('no')).toEqual({ name: 'no' });
    expect(parseRestartPolicy('always')).toEqual({ name: 'always' });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ name: 'unless-stopped' });
    expect(parseRestartPolicy('on-failure')).toEqual({ name: 'on-failure', maximumRetryCount: 0 });
    expect(parseRestartPolicy('on-failure:3')).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
    expect(() => parseRestartPolicy('always:3')).toThrow(/only be used with on-failure/);
    expect(() => parseRestartPolicy('on-failure:x')).toThrow(/non-negative integer/);
    expect(() => parseRestartPolicy('sometimes')).toThrow(/use no, always, unless-stopped or on-failure/);
  });

  it('no never restarts; a manual stop beats every policy', () => {
    expect(decideRestart({ ...base, policy: { name: 'no' } })).toMatchObject({ restart: false });
    expect(decideRestart({ ...base, policy: undefined })).toMatchObject({ restart: false });
    expect(decideRestart({ ...base, manuallyStopped: true })).toEqual({ restart: false, reason: 'stopped by the user' });
  });

  it('on-failure restarts non-zero exits up to the maximum', () => {
    const p = { name: 'on-failure' as const, maximumRetryCount: 2 };
    expect(decideRestart({ ...base, policy: p, exitCode: 0 })).toMatchObject({ restart: false });
    expect(decideRestart({ ...base, policy: p, restartCount: 1 })).toMatchObject({ restart: true });
    expect(decideRestart({ ...base, policy: p, restartCount: 2 })).toEqual({ restart: false, reason: 'reached the maximum of 2 restarts' });
    expect(decideRestart({ ...base, policy: { name: 'on-failure' }, restartCount: 99 })).toMatchObject({ restart: true });
  });

  it('always and unless-stopped restart exit 0 too', () => {
    expect(decideRestart({ ...base, exitCode: 0 })).toEqual({ restart: true, delayMs: 100 });
    expect(decideRestart({ ...base, policy: { name: 'unless-stopped' }, exitCode: 0 })).toEqual({ restart: true, delayMs: 100 });
  });

  it("backs off like Docker: 100 ms doubling to a minute, reset after 10 s of running", () => {
    const delays: number[] = [];
    let prev = 0;
    for (let i = 0; i < 12; i++) {
      prev = nextDelay(prev, 10);
      delays.push(prev);
    }
    expect(delays.slice(0, 6)).toEqual([100, 200, 400, 800, 1600, 3200]);
    expect(delays.at(-1)).toBe(BACKOFF_MAX_MS);
    expect(nextDelay(25_600, 10_000)).toBe(100);
    expect(nextDelay(25_600, 9_999)).toBe(51_200);
    expect(decideRestart({ ...base, previousDelayMs: 400 })).toEqual({ restart: true, delayMs: 800 });
  });

  it('on agent start: always comes back, unless-stopped only if not stopped by hand', () => {
    expect(restartOnDaemonStart({ name: 'always' }, true)).toBe(true);
    expect(restartOnDaemonStart({ name: 'unless-stopped' }, true)).toBe(false);
    expect(restartOnDaemonStart({ name: 'unless-stopped' }, false)).toBe(true);
    expect(restartOnDaemonStart({ name: 'on-failure' }, false)).toBe(false);
    expect(restartOnDaemonStart(undefined, false)).toBe(false);
  });
});
