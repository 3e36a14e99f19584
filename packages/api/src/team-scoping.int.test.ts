import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TRPCError } from '@trpc/server';
import { randomBytes } from 'node:crypto';
import { actorForToken, appendAudit, createApiToken, createSecret, createService, createTeam, createUser, deployStack, noFleet, SecretBox, systemActor, type Actor } from '@berth/core';
import { ServiceSpec, type ContainerSummary } from '@berth/protocol';
import { useTestDatabase } from '@berth/testing/db';
import { appRouter } from './root.ts';
import { createCallerFactory, type Context } from './trpc.ts';
import { eventFilter } from './routers/events/stream-events.ts';

type Procedure = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: { host?: { role: string; optional?: boolean }; teamObject?: { kind: string; role: string } }; inputs: unknown[] } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, Procedure>);

/** The keys of a procedure's input object, through .default()/.optional() wrappers. */
function inputKeys(p: Procedure): string[] {
  return p._def.inputs.flatMap((i) => {
    const s = i as { shape?: object; def?: { innerType?: { shape?: object } } };
    return Object.keys(s.shape ?? s.def?.innerType?.shape ?? {});
  });
}

/**
 * Procedures that take a `host` but are not host-scoped through hostProcedure, each with why.
 * A new procedure taking a host must either use hostProcedure or be listed here with a reason.
 */
const NOT_HOST_PROCEDURES: Record<string, string> = {
  'containers.search': 'reads the inventories in Postgres filtered to the caller\'s teams: another team\'s host gives no rows, like an unknown one (tested below)',
  'hosts.moveToTeam': 'site admins only, who see every host',
  'audit.list': 'host is a filter over the entries the caller may read anyway (its teams\' hosts and its own): another team\'s host gives none (tested below)',
};

/**
 * Every procedure on services, stacks, secrets and configs (team objects), with an input that
 * names one (REF: its name, or its id where `byId`) or creates one in a team (TEAM), or lists.
 * A new procedure there must be a teamObjectProcedure and get a line here, or the test fails.
 */
type Sample = { names: 'service' | 'secret' | 'config' | 'stack'; input: (ref: string) => unknown; byId: boolean } | { creates: (team: string) => unknown } | 'lists';
const webSpec = { name: 'web', image: 'busybox', container: {} };
const TEAM_OBJECT_INPUTS: Record<string, Sample> = {
  'services.list': 'lists',
  'services.get': { names: 'service', input: (name) => ({ name }), byId: true },
  'services.create': { creates: (team) => ({ spec: { name: 'web2', image: 'busybox', container: {} }, team }) },
  'services.update': { names: 'service', input: (name) => ({ name, spec: webSpec, expectedVersion: 1 }), byId: true },
  'services.scale': { names: 'service', input: (name) => ({ name, replicas: 3 }), byId: true },
  'services.rollback': { names: 'service', input: (name) => ({ name }), byId: true },
  'services.remove': { names: 'service', input: (name) => ({ name }), byId: true },
  'stacks.list': 'lists',
  'stacks.deploy': { creates: (team) => ({ spec: { name: 'st2', services: [ServiceSpec.parse(webSpec)], networks: [], volumes: [], secrets: [], configs: [] }, team }) },
  'stacks.deployCompose': { creates: (team) => ({ name: 'st3', compose: 'services:\n  web:\n    image: busybox\n', team }) },
  'stacks.remove': { names: 'stack', input: (name) => ({ name }), byId: false },
  'secrets.list': 'lists',
  'secrets.inspect': { names: 'secret', input: (name) => ({ kind: 'secret', name }), byId: true },
  'secrets.create': { creates: (team) => ({ kind: 'secret', name: 'pw2', data: 'eA==', team }) },
  'secrets.remove': { names: 'config', input: (name) => ({ kind: 'config', name }), byId: true },
};

const createCaller = createCallerFactory(appRouter);
const callerFor = (db: Context['db'], actor: Actor | null) =>
  createCaller({ db, actor, remoteAddr: '127.0.0.1', source: 'web', fleet: noFleet, secrets: null, sessionToken: null, setSessionCookie: () => {} });

/** Calls a procedure by its path with a raw input; returns the error (or null when it passed). */
async function attempt(caller: ReturnType<typeof callerFor>, path: string, input: unknown): Promise<TRPCError | null> {
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  try {
    const r = await (fn as (i: unknown) => Promise<unknown>)(input);
    // a subscription's iterator: its first step runs the resolver
    if (r && typeof r === 'object' && Symbol.asyncIterator in r) await (r as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
    return null;
  } catch (err) {
    return err as TRPCError;
  }
}

const container = (name: string): ContainerSummary => ({
  id: `${name}`.padEnd(64, '0'), name, image: 'busybox', imageId: 'sha256:x', command: 'sh', created: 1_700_000_000, state: 'running', status: '', exitCode: null, labels: {}, ports: [], networks: [],
});

describe('teams: a user of one team cannot see or touch another team\'s hosts by any id', () => {
  const t = useTestDatabase();
  const ids = { a1: '', b1: '' };
  let siteAdmin: Actor;
  let bob: Actor; // owner of team b, no site role
  let vic: Actor; // viewer of team default
  let otto: Actor; // operator of team default
  let ada: Actor; // admin of team default, no site role
  const asActor = async (userId: string): Promise<Actor> => {
    const u = await t().db.user.findUniqueOrThrow({ where: { id: userId }, include: { memberships: true } });
    return { kind: 'user', id: u.id, name: u.username, role: u.role, teams: Object.fromEntries(u.memberships.map((m) => [m.teamId, m.role])), scope: null, source: 'web', remoteAddr: null };
  };

  beforeAll(async () => {
    const db = t().db;
    const def = await db.team.findUniqueOrThrow({ where: { name: 'default' } });
    const b = await createTeam(systemActor(), { name: 'b' }, db);
    const a1 = await db.host.create({ data: { name: 'a1', status: 'online', teamId: def.id } });
    const b1 = await db.host.create({ data: { name: 'b1', status: 'online', teamId: b.id } });
    Object.assign(ids, { a1: a1.id, b1: b1.id });
    // what an agent last reported (containers.search reads it)
    const inventory = (name: string) => ({ inventory: { containers: [container(name)], images: [], volumes: [], networks: [] }, inventoryAt: new Date() });
    await db.host.update({ where: { id: a1.id }, data: inventory('secret-of-a') });
    await db.host.update({ where: { id: b1.id }, data: inventory('bobs-app') });
    const mk = async (username: string, role: 'admin' | null, team?: { id: string; role: 'owner' | 'admin' | 'operator' | 'viewer' }) =>
      asActor((await createUser(systemActor(), { username, password: 'a-long-password', role, ...(team ? { team } : {}) }, db)).id);
    siteAdmin = await mk('root', 'admin');
    bob = await mk('bob', null, { id: b.id, role: 'owner' });
    vic = await mk('vic', null, { id: def.id, role: 'viewer' });
    otto = await mk('otto', null, { id: def.id, role: 'operator' });
    ada = await mk('ada', null, { id: def.id, role: 'admin' });
    await db.$transaction((tx) => appendAudit(tx, siteAdmin, { action: 'container.create', hostId: a1.id, objectType: 'container', objectId: 'secret-of-a', outcome: 'ok' }));
    // team default's service, stack, secret and config, made by its operator (one team: no --team)
    const box = SecretBox.fromKey(randomBytes(32));
    await createSecret(otto, { kind: 'secret', name: 'db_pw', data: Buffer.from('hunter2') }, box, db);
    await createSecret(otto, { kind: 'config', name: 'app_conf', data: Buffer.from('x') }, box, db);
    await createService(otto, { spec: { ...webSpec, secrets: [{ source: 'db_pw' }] } }, db);
    await deployStack(otto, { name: 'shop', services: [ServiceSpec.parse({ name: 'api', image: 'busybox', container: {} })], networks: [], volumes: [], secrets: [], configs: [] }, db, box);
  });

  it('checks every procedure on services, stacks, secrets and configs: teamObjectProcedure, with a sample input here', () => {
    const teamObjects = procedures.filter(([path]) => /^(services|stacks|secrets)\./.test(path));
    expect(teamObjects.filter(([, p]) => !p._def.meta?.teamObject).map(([path]) => path)).toEqual([]);
    expect(procedures.filter(([, p]) => p._def.meta?.teamObject).map(([path]) => path).sort()).toEqual(Object.keys(TEAM_OBJECT_INPUTS).sort());
  });

  it('answers another team\'s service, stack, secret or config, by name or id, exactly as an unknown one (NOT_FOUND), for every procedure', async () => {
    const db = t().db;
    const caller = callerFor(db, bob);
    const idOf = { service: (await db.service.findUniqueOrThrow({ where: { name: 'web' } })).id, secret: (await db.secret.findFirstOrThrow({ where: { name: 'db_pw' } })).id, config: (await db.secret.findFirstOrThrow({ where: { name: 'app_conf' } })).id };
    const nameOf = { service: 'web', stack: 'shop', secret: 'db_pw', config: 'app_conf' };
    for (const [path, sample] of Object.entries(TEAM_OBJECT_INPUTS)) {
      if (sample === 'lists') continue;
      if ('creates' in sample) {
        // into another team: as into a team that does not exist
        const [theirs, unknown] = [await attempt(caller, path, sample.creates('default')), await attempt(caller, path, sample.creates('no-such-team'))];
        expect(theirs?.code, `${path} into team default`).toBe('NOT_FOUND');
        expect(theirs?.message.replace('default', 'REF'), path).toBe(unknown?.message.replace('no-such-team', 'REF'));
        continue;
      }
      const refs = [nameOf[sample.names], ...(sample.byId && sample.names !== 'stack' ? [idOf[sample.names]] : [])];
      for (const ref of refs) {
        const unknownRef = ref.length === 36 ? randomUUID() : 'no-such-thing';
        const [theirs, unknown] = [await attempt(caller, path, sample.input(ref)), await attempt(caller, path, sample.input(unknownRef))];
        expect(theirs?.code, `${path} with team default's ${ref}`).toBe('NOT_FOUND');
        expect(theirs?.message.replace(ref, 'REF'), path).toBe(unknown?.message.replace(unknownRef, 'REF'));
      }
    }
    // the lists hold nothing of team default
    expect(await caller.services.list()).toEqual([]);
    expect(await caller.stacks.list()).toEqual([]);
    expect(await caller.secrets.list({ kind: 'secret' })).toEqual([]);
    expect(await caller.secrets.list({ kind: 'config' })).toEqual([]);
    // nor may bob's service mount its secret: the same words as a missing one
    const mount = async (source: string) => (await attempt(caller, 'services.create', { spec: { name: 'bobs', image: 'busybox', container: {}, secrets: [{ source }] } }))?.message;
    expect(await mount('db_pw')).toBe('service bobs: no secret db_pw: create it first with `berth secret create db_pw FILE`');
    expect((await mount('db_pw'))?.replaceAll('db_pw', 'REF')).toBe((await mount('nope'))?.replaceAll('nope', 'REF'));
    // its own team's see them
    expect((await callerFor(db, vic).services.list()).map((x) => [x.name, x.team.name])).toEqual([['shop_api', 'default'], ['web', 'default']]);
    expect((await callerFor(db, vic).secrets.list({ kind: 'secret' })).map((x) => [x.name, x.team.name])).toEqual([['db_pw', 'default']]);
  });

  it('refuses a viewer every change of its team\'s services, stacks and secrets, naming the role', async () => {
    const caller = callerFor(t().db, vic);
    for (const [path, sample] of Object.entries(TEAM_OBJECT_INPUTS)) {
      if (sample === 'lists' || procedures.find(([p]) => p === path)![1]._def.type !== 'mutation') continue;
      const input = 'creates' in sample ? sample.creates('default') : sample.input({ service: 'web', stack: 'shop', secret: 'db_pw', config: 'app_conf' }[sample.names]);
      const err = await attempt(caller, path, input);
      expect(err?.code, path).toBe('FORBIDDEN');
      expect(err?.message, path).toMatch(/needs the operator role; vic is viewer/);
    }
    expect(await t().db.service.count({ where: { name: 'web' } })).toBe(1);
  });

  it('checks every procedure that takes a host: hostProcedure, or listed with a reason', () => {
    const unchecked = procedures.filter(([path, p]) => inputKeys(p).includes('host') && !p._def.meta?.host && !(path in NOT_HOST_PROCEDURES)).map(([path]) => path);
    expect(unchecked).toEqual([]);
    expect(procedures.filter(([, p]) => p._def.meta?.host).length).toBeGreaterThanOrEqual(40);
  });

  it('answers another team\'s host, by id or by name, exactly as an unknown host (NOT_FOUND), for every host procedure', async () => {
    const caller = callerFor(t().db, bob);
    const checked = procedures.filter(([, p]) => p._def.meta?.host);
    for (const [path] of checked) {
      const unknownId = randomUUID();
      const [byId, byName, unknown, unknownName] = [
        await attempt(caller, path, { host: ids.a1 }),
        await attempt(caller, path, { host: 'a1' }),
        await attempt(caller, path, { host: unknownId }),
        await attempt(caller, path, { host: 'no-such-host' }),
      ];
      expect(byId?.code, `${path} with team default's host id`).toBe('NOT_FOUND');
      expect(byId?.message.replace(ids.a1, 'REF')).toBe(unknown?.message.replace(unknownId, 'REF'));
      expect(byName?.code, `${path} with team default's host name`).toBe('NOT_FOUND');
      expect(byName?.message.replace('a1', 'REF')).toBe(unknownName?.message.replace('no-such-host', 'REF'));
      // bob's own host gets past the check (to input validation, or the fleet: no agent here);
      // removing and revoking succeed, so they get a host of their own
      let mine = 'b1';
      if (path === 'hosts.remove' || path === 'hosts.revoke') {
        mine = `b-${path.split('.')[1]}`;
        await t().db.host.create({ data: { name: mine, teamId: (await t().db.team.findUniqueOrThrow({ where: { name: 'b' } })).id } });
      }
      const own = await attempt(caller, path, { host: mine });
      expect(own?.code, `${path} on bob's own host`).not.toBe('NOT_FOUND');
      expect(own?.code, `${path} on bob's own host`).not.toBe('FORBIDDEN');
      if (mine !== 'b1') await t().db.host.deleteMany({ where: { name: mine } });
    }
  });

  it('lists and searches nothing of another team: hosts, containers, images, volumes, networks, audit', async () => {
    const caller = callerFor(t().db, bob);
    expect((await caller.hosts.list()).map((h) => [h.name, h.team.name])).toEqual([['b1', 'b']]);
    const search = await caller.containers.search({});
    expect(search.rows.map((r) => r.name)).toEqual(['bobs-app']);
    expect(search.hosts.map((h) => h.name)).toEqual(['b1']);
    expect((await caller.containers.search({ host: 'a1' })).rows).toEqual([]);
    expect((await caller.containers.search({ text: 'secret' })).total).toBe(0);
    for (const list of [caller.containers.list({}), caller.images.list({}), caller.volumes.list({}), caller.networks.list({})]) {
      const r = await list;
      // b1 has no agent connected here: it is reported unavailable; a1 is not asked at all
      expect(r.unavailable.map((u) => u.host)).toEqual(['b1']);
      expect(JSON.stringify(r)).not.toContain('a1');
    }
    const audit = await caller.audit.list({});
    expect(audit.some((e) => e.objectId === 'secret-of-a')).toBe(false);
    // naming another team's host as the filter shows nothing of it either
    expect((await caller.audit.list({ host: 'a1' })).filter((e) => e.hostName === 'a1' || e.objectId === 'a1')).toEqual([]);
    expect((await callerFor(t().db, siteAdmin).audit.list({ host: 'a1' })).some((e) => e.objectId === 'secret-of-a')).toBe(true);
    expect((await callerFor(t().db, siteAdmin).audit.list({})).some((e) => e.objectId === 'secret-of-a')).toBe(true);
    expect((await callerFor(t().db, vic).audit.list({})).some((e) => e.objectId === 'secret-of-a')).toBe(true);
    expect((await caller.teams.list()).map((x) => x.name)).toEqual(['b']);
    await expect(caller.teams.members({ team: 'default' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no team named default: `berth team ls` lists them' });
  });

  it('delivers a host\'s events to its team and site roles, never to another team', async () => {
    const e = (hostId: string) => ({ kind: 'host.status' as const, hostId, status: 'online' as const, at: 0 });
    const forBob = eventFilter(bob, t().db);
    const forVic = eventFilter(vic, t().db);
    const forRoot = eventFilter(siteAdmin, t().db);
    expect([await forBob(e(ids.a1)), await forBob(e(ids.b1)), await forBob(e(randomUUID()))]).toEqual([false, true, false]);
    expect([await forVic(e(ids.a1)), await forVic(e(ids.b1))]).toEqual([true, false]);
    expect([await forRoot(e(ids.a1)), await forRoot(e(ids.b1))]).toEqual([true, true]);
    // a member removed from the team stops receiving once the memberships are read again
    let now = 0;
    const forVic2 = eventFilter(vic, t().db, () => now);
    expect(await forVic2(e(ids.a1))).toBe(true);
    const def = await t().db.team.findUniqueOrThrow({ where: { name: 'default' } });
    await t().db.membership.delete({ where: { userId_teamId: { userId: vic.id!, teamId: def.id } } });
    expect(await forVic2(e(ids.a1))).toBe(true); // within the 5 s it trusts what it read
    now += 6_000;
    expect(await forVic2(e(ids.a1))).toBe(false);
    await t().db.membership.create({ data: { userId: vic.id!, teamId: def.id, role: 'viewer' } });
  });

  it('refuses a viewer containers changes, naming the role; an operator privileged containers; a team admin only on its own team', async () => {
    const create = (actor: Actor, host: string, spec: Record<string, unknown> = {}) => attempt(callerFor(t().db, actor), 'containers.create', { host, spec: { image: 'busybox', ...spec } });
    const since = new Date();
    const refusals = async (actorName: string) => (await t().db.auditEntry.findMany({ where: { outcome: 'refused', actorName, at: { gte: since } }, orderBy: { id: 'asc' } })).map((r) => r.action);
    for (const [path, input] of [['containers.create', { host: 'a1', spec: { image: 'busybox' } }], ['containers.action', { host: 'a1', id: 'x', action: 'start' }], ['containers.action', { host: 'a1', id: 'x', action: 'stop' }], ['containers.remove', { host: 'a1', id: 'x' }]] as const) {
      const err = await attempt(callerFor(t().db, vic), path, input);
      expect(err?.code, path).toBe('FORBIDDEN');
      expect(err?.message).toMatch(/needs the operator role; vic is viewer/);
    }
    // allowed: it reaches the fleet, which has no agent here
    expect((await create(otto, 'a1'))?.code).toBe('SERVICE_UNAVAILABLE');
    const privileged = await create(otto, 'a1', { privileged: true });
    expect(privileged?.code).toBe('FORBIDDEN');
    expect(privileged?.message).toBe('--privileged needs the admin role; otto is operator on team default: ask an admin, or leave it out');
    expect((await create(ada, 'a1', { privileged: true, binds: ['/etc:/host-etc'] }))?.code).toBe('SERVICE_UNAVAILABLE');
    expect((await create(ada, 'b1', { privileged: true }))?.code).toBe('NOT_FOUND');
    expect((await create(bob, 'b1', { network: 'host' }))?.code).toBe('SERVICE_UNAVAILABLE');
    // the refusal is in the audit log, on the host
    const refused = await t().db.auditEntry.findFirst({ where: { action: 'container.create', outcome: 'refused', actorName: 'otto' } });
    expect(refused?.hostId).toBe(ids.a1);
    // a team object's, named by its input's kind
    expect((await attempt(callerFor(t().db, vic), 'secrets.create', { kind: 'config', name: 'app', data: '' }))?.code).toBe('FORBIDDEN');
    // under the names their successes are recorded under, once each
    expect(await refusals('vic')).toEqual(['container.create', 'container.start', 'container.stop', 'container.remove', 'config.create']);
    expect(await refusals('otto')).toEqual(['container.create']);
    // a team admin enrolls hosts into its own team only; revokes its own team's hosts
    expect((await callerFor(t().db, ada).hosts.createJoinToken({})).team).toBe('default');
    await expect(callerFor(t().db, ada).hosts.createJoinToken({ team: 'b' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(t().db, otto).hosts.createJoinToken({})).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'creating a join token needs the admin role; otto is operator: ask an admin' });
    expect((await attempt(callerFor(t().db, otto), 'hosts.revoke', { host: 'a1' }))?.message).toBe('revoking a host needs the admin role; otto is operator: ask an admin');
    expect((await attempt(callerFor(t().db, ada), 'hosts.revoke', { host: 'b1' }))?.code).toBe('NOT_FOUND');
  });

  it('caps a token by its scope: a viewer-scoped token of a site admin cannot change anything', async () => {
    const { token } = await createApiToken(siteAdmin, { name: 'read-only', scope: 'viewer' }, t().db);
    const actor = (await actorForToken(token, { remoteAddr: null, source: 'cli' }, t().db))!;
    expect(actor.scope).toBe('viewer');
    const caller = callerFor(t().db, actor);
    expect((await caller.hosts.list()).map((h) => h.name)).toEqual(['a1', 'b1']);
    const err = await attempt(caller, 'containers.action', { host: 'a1', id: 'x', action: 'stop' });
    expect(err?.code).toBe('FORBIDDEN');
    expect(err?.message).toBe('changing a container needs the operator role; root is viewer (through a token scoped to viewer): ask an admin');
    await expect(caller.teams.create({ name: 'nope' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // a token made through a scoped token is no wider than it
    expect((await caller.auth.createApiToken({ name: 'wider', scope: 'admin' })).scope).toBe('viewer');
    // an operator-scoped token of the team admin runs containers but not privileged ones
    const op = await createApiToken(ada, { name: 'ci', scope: 'operator' }, t().db);
    const opActor = (await actorForToken(op.token, { remoteAddr: null, source: 'cli' }, t().db))!;
    const priv = await attempt(callerFor(t().db, opActor), 'containers.create', { host: 'a1', spec: { image: 'busybox', privileged: true } });
    expect(priv?.message).toBe('--privileged needs the admin role; ada is operator on team default (through a token scoped to operator): ask an admin, or leave it out');
  });
});
