import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { refresh } from './refresh.ts';

/**
 * A page's query whose reads are answered when the test says: each read sees the state as it was
 * when the read left, as an agent's answer does.
 */
function slowQuery(client: QueryClient) {
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
  return {
    change: (s: string) => (state = s),
    /** Answers the reads in flight, and any they lead to, until none is left. */
    answerAll: async () => {
      for (let i = 0; i < 10 && waiting.length; i++) {
        waiting.splice(0).forEach((answer) => answer());
        await new Promise((r) => setTimeout(r, 0));
      }
    },
    shown: () => observer.getCurrentResult().data,
    reads: () => reads,
    unsubscribe,
  };
}

describe('refresh', () => {
  it('reads a query again when the change came while its first read was in flight', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const q = slowQuery(client);
    q.change('healthy'); // the first read left before this
    const done = refresh(client, ['container']);
    await q.answerAll();
    await done;
    expect(q.shown()).toBe('healthy');
    expect(q.reads()).toBe(2);
    q.unsubscribe();
  });

  it('is needed: invalidateQueries alone keeps the first read, made before the change', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const q = slowQuery(client);
    q.change('healthy');
    const done = client.invalidateQueries({ queryKey: ['container'] });
    await q.answerAll();
    await done;
    expect(q.shown()).toBe('starting');
    q.unsubscribe();
  });

  it('reads a query that has data once, at once, as invalidateQueries does', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const q = slowQuery(client);
    await q.answerAll();
    expect(q.shown()).toBe('starting');
    q.change('healthy');
    const done = refresh(client, ['container']);
    await q.answerAll();
    await done;
    expect(q.shown()).toBe('healthy');
    expect(q.reads()).toBe(2);
    q.unsubscribe();
  });
});
