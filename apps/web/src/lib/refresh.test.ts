import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { refresh } from './refresh.ts';

/**
 * A page's query whose reads are answered when the test says: each read sees the state as it was
 * when the read left, as an agent's answer does.
 */
function slowQuery() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  let state = 'starting';
  const waiting: Array<() => void> = [];
  let reads = 0;
  const observer = new QueryObserver(client, {
    queryKey: ['container', 'h1', 'c1', 'inspect'],
    queryFn: () => {
      const answer = state;
      reads++;
      return new Promise<string>((resolve) => waiting.push(() => resolve(answer)));
    },
  });
  const unsubscribe = observer.subscribe(() => {});
  /** Answers the reads in flight, and any they lead to, until none is left. */
  const answerAll = async () => {
    for (let i = 0; i < 10 && waiting.length; i++) {
      waiting.splice(0).forEach((answer) => answer());
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return {
    client,
    change: (s: string) => (state = s),
    answerAll,
    /** Runs a refresh to its end, answering every read it makes. */
    settle: async (refreshing: Promise<unknown>) => {
      await answerAll();
      await refreshing;
    },
    shown: () => observer.getCurrentResult().data,
    reads: () => reads,
    unsubscribe,
  };
}

describe('refresh', () => {
  it('reads a query again when the change came while its first read was in flight', async () => {
    const q = slowQuery();
    q.change('healthy'); // the first read left before this
    await q.settle(refresh(q.client, ['container']));
    expect([q.shown(), q.reads()]).toEqual(['healthy', 2]);
    q.unsubscribe();
  });

  it('is needed: invalidateQueries alone keeps the first read, made before the change', async () => {
    const q = slowQuery();
    q.change('healthy');
    await q.settle(q.client.invalidateQueries({ queryKey: ['container'] }));
    expect(q.shown()).toBe('starting');
    q.unsubscribe();
  });

  it('reads a query that has data once, at once, as invalidateQueries does', async () => {
    const q = slowQuery();
    await q.answerAll();
    expect(q.shown()).toBe('starting');
    q.change('healthy');
    await q.settle(refresh(q.client, ['container']));
    expect([q.shown(), q.reads()]).toEqual(['healthy', 2]);
    q.unsubscribe();
  });
});
