// The CLI's subscription plumbing (FetchEventSource + httpSubscriptionLink + subscription())
// against a real tRPC HTTP server on 127.0.0.1, configured as the API's (superjson, pings).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient } from '@trpc/client';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { z } from 'zod';
import { apiLinks } from './client.ts';
import { SseParser } from './event-source.ts';
import { subscription } from './subscribe.ts';

const t = initTRPC.create({ transformer: superjson, sse: { ping: { enabled: true, intervalMs: 1000 } } });
let connections = 0;
let cancelled = 0;
const router = t.router({
  count: t.procedure.input(z.object({ n: z.number() })).subscription(async function* ({ input }) {
    connections++;
    for (let i = 1; i <= input.n; i++) yield { i, text: `line ${i}\n` };
  }),
  notFound: t.procedure.subscription(async function* () {
    connections++;
    yield { i: 1 };
    throw new TRPCError({ code: 'NOT_FOUND', message: 'local: No such container: nope' });
  }),
  // tRPC's own client would reconnect (and start the operation again) on this one
  agentFailure: t.procedure.subscription(async function* () {
    connections++;
    yield { i: 1 };
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'local: the engine failed' });
  }),
  forbidden: t.procedure.use(() => {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'running a command needs the operator role' });
  }).subscription(async function* () {
    yield 1;
  }),
  forever: t.procedure.subscription(async function* ({ signal }) {
    connections++;
    yield { i: 1 };
    await new Promise<void>((r) => signal?.addEventListener('abort', () => r()));
    cancelled++;
  }),
});

describe('subscriptions from the CLI', () => {
  let server: ReturnType<typeof createHTTPServer>;
  let api: ReturnType<typeof createTRPCClient<typeof router>>;
  let seenAuth: string | undefined;
  beforeAll(async () => {
    server = createHTTPServer({ router, basePath: '/api/trpc/', createContext: ({ req }) => ((seenAuth = req.headers.authorization), {}) });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api = createTRPCClient<typeof router>({ links: apiLinks(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'berth_test') as never });
  });
  afterAll(() => void server.close());

  it('receives every event in order, with the token, and ends when the server ends', async () => {
    const got: number[] = [];
    for await (const e of subscription<{ i: number }>((h) => api.count.subscribe({ n: 50 }, h))) got.push(e.i);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seenAuth).toBe('Bearer berth_test');
  });

  it('throws the server error with its message and code, after the events before it', async () => {
    const got: unknown[] = [];
    const run = async () => {
      for await (const e of subscription<{ i: number }>((h) => api.notFound.subscribe(undefined, h))) got.push(e);
    };
    await expect(run()).rejects.toMatchObject({ message: 'local: No such container: nope', data: { code: 'NOT_FOUND' } });
    expect(got).toEqual([{ i: 1 }]);
    await expect((async () => {
      for await (const _ of subscription((h) => api.forbidden.subscribe(undefined, h))) void _;
    })()).rejects.toMatchObject({ message: 'running a command needs the operator role' });
  });

  it('never reconnects: an error tRPC would retry ends the command instead of running it again', async () => {
    const before = connections;
    await expect((async () => {
      for await (const _ of subscription((h) => api.agentFailure.subscribe(undefined, h))) void _;
    })()).rejects.toMatchObject({ message: 'local: the engine failed' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(connections - before).toBe(1);
  });

  it('stops when the signal fires (Ctrl-C), and the server sees the client go', async () => {
    const ac = new AbortController();
    const got: unknown[] = [];
    for await (const e of subscription((h) => api.forever.subscribe(undefined, h), ac.signal)) {
      got.push(e);
      ac.abort();
    }
    expect(got).toHaveLength(1);
    for (let i = 0; i < 50 && cancelled === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(cancelled).toBe(1);
  });

  it('says so when the control plane cannot be reached', async () => {
    const probe = createHTTPServer({ router });
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const dead = createTRPCClient<typeof router>({ links: apiLinks(`http://127.0.0.1:${port}`, 'x') as never });
    await expect((async () => {
      for await (const _ of subscription((h) => dead.count.subscribe({ n: 1 }, h))) void _;
    })()).rejects.toThrow(/cannot reach the control plane/);
  });
});

describe('the SSE parser', () => {
  it('follows the spec: fields, multi-line data, comments, CRLF split across chunks', () => {
    const events: [string, string, string][] = [];
    const p = new SseParser((type, data, id) => events.push([type, data, id]));
    p.push(': comment\r');
    p.push('\nevent: connected\ndata: {}\n\n');
    p.push('id: 7\ndata: a\ndata:b\n');
    p.push('\n');
    p.push('data: tail');
    expect(events).toEqual([['connected', '{}', ''], ['message', 'a\nb', '7']]);
    p.push('\n\n');
    expect(events[2]).toEqual(['message', 'tail', '7']);
  });
});
