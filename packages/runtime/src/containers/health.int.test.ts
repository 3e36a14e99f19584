// Healthchecks on this machine's real runc and conmon: probes run as execs in the container and
// move its health as Docker's do. Root only. States are waited for by polling, never by time.
import { describe, expect, it } from 'vitest';
import type { ContainerEngine, ContainerEvent } from './engine.ts';
import { useEngineFixture } from './engine-fixture.ts';

const isRoot = process.getuid?.() === 0;
const PATH_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/** Polls until `check` gives a value, or fails saying what it waited for and what it last saw. */
async function until<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const health = (engine: ContainerEngine, id: string) => engine.inspect(id).state.health;

describe.skipIf(!isRoot)('healthchecks on runc + conmon', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  const f = useEngineFixture();
  const { newEngine, runIt } = f;

  it('a passing check makes it healthy, with one health_status event and the result logged', async () => {
    const engine = await newEngine();
    const events: ContainerEvent[] = [];
    engine.subscribe((e) => events.push(e));
    const c = await runIt(engine, ['sleep', '1000'], { healthcheck: { test: ['CMD-SHELL', 'echo ok; echo err >&2'], intervalMs: 100 } });
    expect(c.state.health).toEqual({ status: 'starting', failingStreak: 0, log: [] });
    const h = await until('healthy', () => health(engine, c.id)?.status === 'healthy' && health(engine, c.id));
    expect(h.failingStreak).toBe(0);
    expect(h.log[0]).toMatchObject({ exitCode: 0 });
    expect(h.log[0]!.output.split('\n').sort()).toEqual(['', 'err', 'ok']);
    expect(Date.parse(h.log[0]!.end)).toBeGreaterThanOrEqual(Date.parse(h.log[0]!.start));
    // the event follows the state's save to disk, so it may come a moment after inspect shows it
    await until('the health_status event', () => events.some((e) => e.action === 'health_status: healthy'));
    expect(events.filter((e) => e.action.startsWith('health_status')).map((e) => e.action)).toEqual(['health_status: healthy']);
    // probes stop with the container; a stopped container reads unhealthy, as in Docker
    await engine.stop(c.id, { timeoutSec: 0 });
    const stopped = health(engine, c.id)!;
    expect(stopped.status).toBe('unhealthy');
    // a restart starts over from starting
    await engine.start(c.id);
    expect(health(engine, c.id)).toMatchObject({ status: 'starting', failingStreak: 0 });
    await until('healthy after the restart', () => health(engine, c.id)?.status === 'healthy');
  });

  it('a failing check makes it unhealthy after `retries` failures in a row, and healthy again when it passes', async () => {
    const engine = await newEngine();
    const atEvent: { action: string; streak: number }[] = [];
    let id = '';
    engine.subscribe((e) => {
      if (e.id === id && e.action.startsWith('health_status')) atEvent.push({ action: e.action, streak: health(engine, id)?.failingStreak ?? -1 });
    });
    const c = await runIt(engine, ['sleep', '1000'], { healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ok'], intervalMs: 100, retries: 3 } });
    id = c.id;
    await until('the unhealthy event', () => atEvent.length > 0);
    expect(atEvent).toEqual([{ action: 'health_status: unhealthy', streak: 3 }]);
    expect(health(engine, c.id)!.log.every((r) => r.exitCode === 1)).toBe(true);
    expect((await engine.execCollect(c.id, { cmd: ['touch', '/tmp/ok'] })).exitCode).toBe(0);
    await until('the healthy event', () => atEvent.length > 1);
    expect(atEvent.map((e) => e.action)).toEqual(['health_status: unhealthy', 'health_status: healthy']);
    await until('five results kept', () => health(engine, c.id)!.log.length === 5 && health(engine, c.id)!.log.at(-1)!.exitCode === 0);
  });

  it('a probe past its timeout is a failure with Docker’s message, is killed, and probes never pile up', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000'], { healthcheck: { test: ['CMD', 'sleep', '77'], intervalMs: 100, timeoutMs: 300, retries: 2 } });
    const h = await until('unhealthy', () => health(engine, c.id)?.status === 'unhealthy' && health(engine, c.id));
    expect(h.log[0]).toMatchObject({ exitCode: -1, output: 'Health check exceeded timeout (300ms)' });
    // while probes keep timing out, the container never holds more than one of them at a time
    for (let i = 0; i < 10; i++) {
      const top = await engine.top(c.id);
      const cmd = top.titles.indexOf('CMD');
      expect(top.processes.filter((p) => p[cmd] === 'sleep 77').length).toBeLessThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(health(engine, c.id)!.log.length).toBeGreaterThanOrEqual(2);
  });

  it('failures in the start period do not count; a success ends it; failures count after that', async () => {
    const engine = await newEngine();
    const c = await runIt(engine, ['sleep', '1000'], {
      healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], intervalMs: 100, startPeriodMs: 600_000, startIntervalMs: 100, retries: 2 },
    });
    const early = await until('three failures logged', () => (health(engine, c.id)?.log.length ?? 0) >= 3 && health(engine, c.id));
    expect(early).toMatchObject({ status: 'starting', failingStreak: 0 });
    await engine.execCollect(c.id, { cmd: ['touch', '/tmp/ok'] });
    await until('healthy', () => health(engine, c.id)?.status === 'healthy');
    await engine.execCollect(c.id, { cmd: ['rm', '/tmp/ok'] });
    const h = await until('unhealthy, still inside the start period', () => health(engine, c.id)?.status === 'unhealthy' && health(engine, c.id));
    expect(h.failingStreak).toBe(2);
  });

  it('the image’s HEALTHCHECK applies, merged field by field; NONE turns it off', async () => {
    const engine = await newEngine();
    const image = f.busybox({ Cmd: ['sleep', '1000'], Env: PATH_ENV, Healthcheck: { Test: ['CMD-SHELL', 'exit 0'], Interval: 100e6, Retries: 4 } });
    const withIt = await engine.run({ rootfs: image, config: { healthcheck: { timeoutMs: 2_000 } } });
    expect(withIt.config.healthcheck).toEqual({ test: ['CMD-SHELL', 'exit 0'], intervalMs: 100, timeoutMs: 2_000, retries: 4 });
    const without = await engine.run({ rootfs: image, config: { healthcheck: { test: ['NONE'] } } });
    expect(without.config.healthcheck).toEqual({ test: ['NONE'], intervalMs: 100, retries: 4 });
    await until('the image’s check passes', () => health(engine, withIt.id)?.status === 'healthy');
    // the NONE one had as long to probe: it has no health at all
    expect(engine.inspect(without.id).state.health).toBeUndefined();
    await expect(engine.run({ rootfs: image, config: { healthcheck: { test: ['CMD'] } } })).rejects.toThrow('invalid healthcheck ["CMD"]: CMD needs a command to run');
  });

  it('health survives an agent restart and probes resume on the adopted container', async () => {
    const first = await newEngine();
    const c = await runIt(first, ['sleep', '1000'], { healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ok'], intervalMs: 100, retries: 1 } }, 'probed');
    const before = await until('unhealthy', () => health(first, c.id)?.status === 'unhealthy' && health(first, c.id));
    await first.close();
    f.forget(first);

    const second = await newEngine();
    const adopted = health(second, c.id)!;
    expect(adopted.status).toBe('unhealthy');
    expect(adopted.log.length).toBeGreaterThanOrEqual(before.log.length);
    await second.execCollect(c.id, { cmd: ['touch', '/tmp/ok'] });
    await until('healthy on the new engine', () => health(second, c.id)?.status === 'healthy');
  });
});
