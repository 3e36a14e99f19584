import { describe, expect, it } from 'vitest';
import { planBulk, runBounded, selectRange, type Target } from './bulk.ts';

const t = (name: string, state: Target['state'], host = 'h1'): Target => ({ host, id: `${name}-id`, name, state });

describe('bulk actions on containers', () => {
  it('asks one question naming every container affected', () => {
    expect(planBulk('stop', [t('a', 'running'), t('b', 'paused')]).question).toBe('Stop 2 containers: a, b?');
    expect(planBulk('remove', [t('a', 'exited'), t('b', 'created'), t('c', 'dead')]).question).toBe('Remove 3 containers: a, b, c?');
  });

  it('says which running containers a remove kills first', () => {
    const plan = planBulk('remove', [t('a', 'running'), t('b', 'exited'), t('c', 'running')]);
    expect(plan.forced.map((x) => x.name)).toEqual(['a', 'c']);
    expect(plan.question).toBe('Remove 3 containers: a, b, c? a, c are still running: they are killed first (force).');
    expect(planBulk('remove', [t('a', 'running')]).question).toBe('Remove 1 container: a? It is still running: it is killed first (force).');
  });

  it('skips, and names, what the action does not apply to', () => {
    const plan = planBulk('start', [t('a', 'running'), t('b', 'exited')]);
    expect(plan.targets.map((x) => x.name)).toEqual(['b']);
    expect(plan.question).toBe('Start 1 container: b? Skipped: a (running).');
    expect(planBulk('restart', [t('a', 'exited')]).question).toBe('None of the selected containers can be restarted. Skipped: a (exited).');
  });

  it('tells apart same-named containers by host, and shortens a long list', () => {
    expect(planBulk('stop', [t('web', 'running', 'h1'), t('web', 'running', 'h2')]).question).toBe('Stop 2 containers: web on h1, web on h2?');
    const many = Array.from({ length: 12 }, (_, i) => t(`c${i}`, 'running'));
    expect(planBulk('stop', many).question).toBe('Stop 12 containers: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 2 more?');
  });

  it('runs at most `limit` at once, goes on past failures and reports each in order', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const outcomes = await runBounded(Array.from({ length: 20 }, (_, i) => i), 8, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, i % 3));
      running--;
      if (i % 7 === 3) throw new Error(`no such container: ${i}`);
    }, (n) => done.push(n));
    expect(peak).toBe(8);
    expect(outcomes.map((o) => o.item)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(outcomes.filter((o) => !o.ok)).toEqual([{ item: 3, ok: false, error: 'no such container: 3' }, { item: 10, ok: false, error: 'no such container: 10' }, { item: 17, ok: false, error: 'no such container: 17' }]);
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('selects a range with shift, from the previous click', () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const one = selectRange(new Set(), keys, 1, true, null, false);
    expect([...one]).toEqual(['b']);
    expect([...selectRange(one, keys, 3, true, 1, true)].sort()).toEqual(['b', 'c', 'd']);
    // upwards, and unticking a range
    expect([...selectRange(new Set(keys), keys, 0, false, 2, true)].sort()).toEqual(['d', 'e']);
    // without shift, only the row clicked
    expect([...selectRange(one, keys, 4, true, 1, false)].sort()).toEqual(['b', 'e']);
  });
});
