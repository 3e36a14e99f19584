import { describe, expect, it } from 'vitest';
import { Heap } from './heap.ts';

describe('Heap', () => {
  it('pops in comparator order whether built from a list or pushed one by one', () => {
    // a fixed pseudo-random sequence with repeats
    const xs = Array.from({ length: 500 }, (_, i) => (i * 7919) % 211);
    const sorted = [...xs].sort((a, b) => a - b);
    const built = new Heap<number>((a, b) => a < b, xs);
    const pushed = new Heap<number>((a, b) => a < b);
    for (const x of xs) pushed.push(x);
    const drain = (h: Heap<number>) => Array.from({ length: xs.length }, () => h.pop());
    expect(built.size).toBe(500);
    expect(drain(built)).toEqual(sorted);
    expect(drain(pushed)).toEqual(sorted);
    expect(pushed.pop()).toBeUndefined();
    expect(pushed.size).toBe(0);
  });

  it('keeps order when the popped item changes and is pushed back, as the scheduler does', () => {
    const load = new Map([['a', 0], ['b', 0], ['c', 0]]);
    const h = new Heap<string>((x, y) => load.get(x)! - load.get(y)! < 0 || (load.get(x) === load.get(y) && x < y), load.keys());
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      const top = h.pop()!;
      order.push(top);
      load.set(top, load.get(top)! + 1);
      h.push(top);
    }
    expect(order.join('')).toBe('abcabca');
    expect(h.peek()).toBe('b');
  });
});
