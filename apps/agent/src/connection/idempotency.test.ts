import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyCache } from './idempotency.ts';

describe('idempotency cache', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('does a replayed command once, even across an agent restart, and replays failures too', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-idem-'));
    let runs = 0;
    const work = async () => ({ n: ++runs });
    const first = new IdempotencyCache(dir);
    await first.init();
    const [a, b] = await Promise.all([first.run('cmd-1', work, () => 'x'), first.run('cmd-1', work, () => 'x')]);
    expect([a, b]).toEqual([{ n: 1 }, { n: 1 }]);
    const restarted = new IdempotencyCache(dir);
    await restarted.init();
    expect(await restarted.run('cmd-1', work, () => 'x')).toEqual({ n: 1 });
    expect(runs).toBe(1);
    await expect(restarted.run('cmd-2', async () => { throw new Error('no such image'); }, () => 'not_found')).rejects.toThrow('no such image');
    await expect(new IdempotencyCache(dir).run('cmd-2', work, () => 'x')).rejects.toMatchObject({ code: 'not_found', message: 'no such image' });
    expect(runs).toBe(1);
    await expect(restarted.run('../../etc/passwd', work, () => 'x')).rejects.toThrow('malformed idempotency key');
  });
});
