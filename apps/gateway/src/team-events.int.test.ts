import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createJoinToken, createTeam, createUser, systemActor, type Actor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, startGateway, startLabAgent, type RunningGateway } from '@berth/testing/fleet';
import { useLab, type LabProcess } from '@berth/testing/lab';

interface Event { kind: string; hostId: string; at: number }

/**
 * A raw subscription to events.stream over SSE, as a browser's EventSource reads it: every
 * `data:` line with a fleet event in superjson's envelope is collected.
 */
function subscribe(url: string, token: string) {
  const events: Event[] = [];
  const abort = new AbortController();
  const input = encodeURIComponent(JSON.stringify({ json: { kinds: ['host.status', 'host.metrics'] } }));
  const done = (async () => {
    const res = await fetch(`${url}/api/trpc/events.stream?input=${input}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    if (res.status !== 200) throw new Error(`events.stream: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('data: ')) continue;
        const data = JSON.parse(line.slice(6)) as { json?: Partial<Event> } | Partial<Event>;
        const e = ('json' in data ? data.json : data) as Partial<Event> | undefined;
        if (e && typeof e.kind === 'string' && typeof e.hostId === 'string') events.push(e as Event);
      }
    }
  })().catch((err: Error) => {
    if (err.name !== 'AbortError') throw err;
  });
  return { events, close: async () => { abort.abort(); await done; } };
}

describe('the live event stream through the gateway, per team', () => {
  const t = useTestDatabase();
  const lab = useLab(2);
  let gw: RunningGateway;
  const agents: LabProcess[] = [];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway, env: { BERTH_HEARTBEAT_MS: '300' } });
    const db = t().db;
    const def = await db.team.findUniqueOrThrow({ where: { name: 'default' } });
    const b = await createTeam(systemActor(), { name: 'b' }, db);
    for (const [username, role, team] of [['alice', null, def.id], ['bob', null, b.id], ['root', 'admin', null]] as const) {
      const u = await createUser(systemActor(), { username, password: 'a-long-password', role, ...(team ? { team: { id: team, role: 'viewer' as const } } : {}) }, db);
      const actor: Actor = { kind: 'user', id: u.id, name: username, role, source: 'cli', remoteAddr: null };
      tokens[username] = (await createApiToken(actor, { name: 'events' }, db)).token;
    }
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await gw?.stop();
  });

  it('delivers a host\'s status and metrics to its team and to site roles, never to another team', async () => {
    const h1 = lab().hosts[0]!;
    const h2 = lab().hosts[1]!;
    const streams = { alice: subscribe(gw.url, tokens.alice!), bob: subscribe(gw.url, tokens.bob!), root: subscribe(gw.url, tokens.root!) };
    try {
      // h1 joins the default team, h2 team b, through their join tokens
      for (const [h, team] of [[h1, 'default'], [h2, 'b']] as const) {
        const jt = await createJoinToken(systemActor(), { hostName: h.name, team }, t().db);
        agents.push(startLabAgent(h, { wsUrl: gw.wsUrl, joinToken: jt.token }));
      }
      const id = async (name: string) => (await eventually(() => t().db.host.findUnique({ where: { name } }), `${name} enrolled`)).id;
      const [id1, id2] = [await id(h1.name), await id(h2.name)];
      expect((await t().db.host.findUniqueOrThrow({ where: { id: id2 }, include: { team: true } })).team.name).toBe('b');
      // each stream has gone past events of both hosts: the root sees both, and alice and bob
      // each see an event of their own host published a second after one of the other's
      const seen = (s: { events: Event[] }, hostId: string, after = 0) => s.events.find((e) => e.hostId === hostId && e.at > after);
      const first2 = await eventually(async () => seen(streams.root, id2), 'root sees h2');
      await eventually(async () => seen(streams.root, id1), 'root sees h1');
      await eventually(async () => seen(streams.alice, id1, first2.at + 1000), 'alice sees h1 after h2 was live');
      const first1 = await eventually(async () => seen(streams.root, id1), 'root sees h1');
      await eventually(async () => seen(streams.bob, id2, first1.at + 1000), 'bob sees h2 after h1 was live');
      expect(streams.alice.events.filter((e) => e.hostId === id2)).toEqual([]);
      expect(streams.bob.events.filter((e) => e.hostId === id1)).toEqual([]);
      expect(streams.alice.events.some((e) => e.kind === 'host.metrics')).toBe(true);
    } finally {
      await Promise.all(Object.values(streams).map((s) => s.close()));
    }
  });
});
