import { describe, expect, it } from 'vitest';
import type { Actor } from '@berth/core';
import { SshOperations, type SshAddEvent } from './ssh-operations.ts';

const actor = (id: string): Actor => ({ kind: 'user', id, name: id, role: 'admin', source: 'web', remoteAddr: null });
const step = (n: number, status: 'running' | 'done' | 'failed', detail?: string): SshAddEvent => ({ type: 'step', step: { n, total: 2, title: `step ${n}`, status, ...(detail ? { detail } : {}) } });

async function collect(it: AsyncIterable<SshAddEvent>): Promise<SshAddEvent[]> {
  const out: SshAddEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('SshOperations', () => {
  it('replays past events to a late watcher, streams the rest, and ends with the final event', async () => {
    const ops = new SshOperations();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const id = ops.start(actor('a'), { hostName: 'h1', address: '192.0.2.1' }, async (emit) => {
      emit(step(1, 'running'));
      emit(step(1, 'done'));
      await gate;
      emit(step(2, 'failed', 'no'));
      emit({ type: 'error', message: 'no', step: 2 });
    });
    await new Promise((r) => setTimeout(r, 0));
    const watching = collect(ops.watch(ops.get(id, actor('a'))!));
    expect(ops.running('h1', 'x')?.id).toBe(id);
    expect(ops.running('other', '192.0.2.1')?.id).toBe(id);
    release();
    const events = await watching;
    expect(events.map((e) => (e.type === 'step' ? `${e.step.n}:${e.step.status}` : e.type))).toEqual(['1:running', '1:done', '2:failed', 'error']);
    expect(await collect(ops.watch(ops.get(id, actor('a'))!))).toEqual(events);
    expect(ops.running('h1', '192.0.2.1')).toBeUndefined();
  });

  it('shows an operation to the actor who started it only', () => {
    const ops = new SshOperations();
    const id = ops.start(actor('a'), { hostName: 'h1', address: 'a' }, async () => {});
    expect(ops.get(id, actor('a'))).toBeDefined();
    expect(ops.get(id, actor('b'))).toBeUndefined();
    expect(ops.cancel(id, actor('b'))).toBe(false);
  });

  it('ends an operation whose run throws or returns without a final event', async () => {
    const ops = new SshOperations();
    const a = ops.start(actor('a'), { hostName: 'h1', address: 'a' }, async () => { throw new Error('boom'); });
    const b = ops.start(actor('a'), { hostName: 'h2', address: 'b' }, async () => {});
    expect((await collect(ops.watch(ops.get(a, actor('a'))!))).at(-1)).toEqual({ type: 'error', message: 'boom', step: null });
    expect((await collect(ops.watch(ops.get(b, actor('a'))!))).at(-1)).toMatchObject({ type: 'error' });
  });

  it('drops old progress lines beyond its bound, never a step state, and a watcher still sees every state in order', async () => {
    const ops = new SshOperations();
    const id = ops.start(actor('a'), { hostName: 'h1', address: 'a' }, async (emit) => {
      emit(step(1, 'running'));
      for (let i = 0; i < 3000; i++) emit(step(1, 'running', `line ${i}`));
      emit(step(1, 'done'));
      emit({ type: 'error', message: 'end', step: null });
    });
    await new Promise((r) => setTimeout(r, 0));
    const events = await collect(ops.watch(ops.get(id, actor('a'))!));
    expect(events.length).toBeLessThanOrEqual(1000);
    expect(events[0]).toEqual(step(1, 'running'));
    expect(events.at(-2)).toEqual(step(1, 'done'));
    expect(events.at(-3)).toEqual(step(1, 'running', 'line 2999'));
  });

  it('cancels through the signal', async () => {
    const ops = new SshOperations();
    const id = ops.start(actor('a'), { hostName: 'h1', address: 'a' }, (emit, signal) => new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => { emit({ type: 'error', message: String((signal.reason as Error).message), step: null }); resolve(); });
    }));
    expect(ops.cancel(id, actor('a'))).toBe(true);
    expect((await collect(ops.watch(ops.get(id, actor('a'))!))).at(-1)).toEqual({ type: 'error', message: 'cancelled by the user', step: null });
  });
});
