import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, createApiToken, createUser, systemActor, type Actor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { startGateway, type RunningGateway } from '@berth/testing/fleet';

type Entry = { id: string; actorName: string; action: string; hostName: string | null; outcome: string; objectId: string | null };

describe('the audit log over HTTP: filters, paging and the CSV export', () => {
  const t = useTestDatabase();
  let gw: RunningGateway;
  let token: string;
  const at: Date[] = [];
  const list = async (input: Record<string, unknown>, auth = `Bearer ${token}`) => {
    const res = await fetch(`${gw.url}/api/trpc/audit.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: { authorization: auth } });
    const body = (await res.json()) as { result?: { data: { json: Entry[] } }; error?: { json: { message: string } } };
    if (!body.result) throw new Error(`${res.status}: ${body.error?.json.message}`);
    return body.result.data.json;
  };
  const csv = (query: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => fetch(`${gw.url}/api/audit/export.csv?${query}`, { headers });

  beforeAll(async () => {
    const db = t().db;
    const admin = await createUser(systemActor(), { username: 'ann', password: 'correct-horse-battery', role: 'admin' }, db);
    const ann: Actor = { kind: 'user', id: admin.id, name: 'ann', role: 'admin', source: 'web', remoteAddr: '127.0.0.1' };
    const bob: Actor = { ...ann, id: null, name: 'bob', source: 'cli' };
    token = (await createApiToken(ann, { name: 'test' }, db)).token;
    // the migration's team: every host belongs to one
    const teamId = (await db.team.findUniqueOrThrow({ where: { name: 'default' } })).id;
    const h1 = await db.host.create({ data: { name: 'h1', status: 'online', teamId } });
    const h2 = await db.host.create({ data: { name: 'h2', status: 'online', teamId } });
    await db.auditEntry.deleteMany({}); // the user and token above: this test counts only its own entries
    const record: Array<[Actor, string, string | null, 'ok' | 'error' | 'refused', string | null]> = [
      [ann, 'container.start', h1.id, 'ok', 'web-1'],
      [bob, 'container.stop', h1.id, 'ok', 'web-1'],
      [bob, 'container.remove', h2.id, 'error', '=cmd|calc'],
      [ann, 'image.pull', h2.id, 'ok', 'busybox'],
      [bob, 'auth.login', null, 'refused', null],
      [ann, 'host.revoke', null, 'ok', 'h1'],
    ];
    for (const [actor, action, hostId, outcome, objectId] of record) {
      await db.$transaction((tx) => appendAudit(tx, actor, { action, hostId, objectType: action.split('.')[0]!, objectId, outcome, error: outcome === 'error' ? 'no such container: "x",\nsee docs' : null }));
      at.push((await db.auditEntry.findFirstOrThrow({ orderBy: { id: 'desc' } })).at);
      await new Promise((r) => setTimeout(r, 5)); // distinct timestamps for the time range
    }
    gw = await startGateway({ databaseUrl: t().url });
  });
  afterAll(() => gw?.stop());

  it('filters by user, action prefix, outcome, host and time range, newest first', async () => {
    expect((await list({})).map((e) => e.action)).toEqual(['host.revoke', 'auth.login', 'image.pull', 'container.remove', 'container.stop', 'container.start']);
    expect((await list({ user: 'BOB' })).map((e) => e.action)).toEqual(['auth.login', 'container.remove', 'container.stop']);
    expect((await list({ action: 'container.' })).map((e) => e.action)).toEqual(['container.remove', 'container.stop', 'container.start']);
    expect((await list({ action: 'container.', user: 'ann' })).map((e) => e.action)).toEqual(['container.start']);
    expect((await list({ outcome: 'refused' })).map((e) => e.actorName)).toEqual(['bob']);
    // a host's entries, and the one naming it as its object (its revocation)
    expect((await list({ host: 'h1' })).map((e) => e.action)).toEqual(['host.revoke', 'container.stop', 'container.start']);
    expect((await list({ host: 'h2' })).every((e) => e.hostName === 'h2')).toBe(true);
    expect((await list({ from: at[1], to: at[3] })).map((e) => e.action)).toEqual(['container.remove', 'container.stop']);
    expect(await list({ user: 'nobody' })).toEqual([]);
  });

  it('pages to older entries with `before`', async () => {
    const first = await list({ limit: 4 });
    const older = await list({ limit: 4, before: first[3]!.id });
    expect(first.map((e) => e.action)).toEqual(['host.revoke', 'auth.login', 'image.pull', 'container.remove']);
    expect(older.map((e) => e.action)).toEqual(['container.stop', 'container.start']);
    expect((await list({ action: 'container.', limit: 1, before: first[3]!.id })).map((e) => e.action)).toEqual(['container.stop']);
  });

  it('exports exactly what the filters select as CSV, quoted and with formulas defused', async () => {
    const res = await csv('action=container.&user=');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="berth-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    const records = text.split('\r\n');
    expect(records[0]).toBe('id,at,actor,source,remote_addr,action,host,object_type,object_id,outcome,error,params');
    expect(records.at(-1)).toBe(''); // every record ends with CRLF
    // the error holds a comma, a quote and a newline: one quoted field over two lines
    expect(records[1]).toMatch(/^\d+,\S+Z,bob,cli,127\.0\.0\.1,container\.remove,h2,container,'=cmd\|calc,error,"no such container: ""x"",\nsee docs",\{\}$/);
    expect(records.slice(2, 4).map((r) => r.split(',')[5])).toEqual(['container.stop', 'container.start']);
    expect(records).toHaveLength(5);
    const all = await (await csv('')).text();
    expect(all.split('\r\n').filter(Boolean)).toHaveLength(1 + 6); // the header and six records (the error's LF is inside its field)
  });

  it('asks for the same credentials as audit.list, and names a bad filter', async () => {
    expect((await csv('', {})).status).toBe(401);
    expect((await csv('', { authorization: 'Bearer berth_not-a-real-token' })).status).toBe(401);
    const login = await fetch(`${gw.url}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { username: 'ann', password: 'correct-horse-battery' } }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await csv('outcome=ok', { cookie })).status).toBe(200);
    const bad = await csv('outcome=maybe&from=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid filter: outcome: .*; from: /);
  });
});
