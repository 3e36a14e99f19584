// Services, stacks, secrets and configs belong to a team, as hosts do: another team's are
// answered exactly as unknown ones, by name or id; changes need operator on the object's team.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TeamRole } from '@berth/db';
import { ServiceSpec, type StackSpec } from '@berth/protocol';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor, type Actor } from '../actor.ts';
import { listAuditEntries } from '../audit/query.ts';
import { verifyAudit } from '../audit/service.ts';
import { SecretBox } from '../registries/secret-box.ts';
import { createSecret, inspectSecret, listSecrets, removeSecret } from '../secrets/service.ts';
import { createTeam, removeTeam } from '../teams/service.ts';
import { createService, deployStack, getService, listServices, listStacks, removeService, removeStack, rollbackService, scaleService, updateService } from './service.ts';

const member = (name: string, teams: Record<string, TeamRole>, role: Actor['role'] = null): Actor => ({ kind: 'user', id: null, name, role, teams, scope: null, source: 'cli', remoteAddr: null });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const spec = (name: string, more: Record<string, unknown> = {}) => ({ name, image: 'busybox', container: {}, ...more });
const stack = (name: string): StackSpec => ({
  name,
  services: [ServiceSpec.parse({ name: 'api', image: 'busybox', container: {}, secrets: [{ source: 'pw' }] })],
  networks: [],
  volumes: [],
  secrets: [{ name: 'pw', external: false, data: b64('pw-1') }],
  configs: [],
});

/** The error a call fails with (it must fail). */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected the call to be refused');
}

describe('services, stacks, secrets and configs are team objects', () => {
  const tdb = useTestDatabase();
  const box = SecretBox.fromKey(randomBytes(32));
  const ids = { def: '', b: '' };
  let alice: Actor; // operator of default
  let vic: Actor; // viewer of default
  let bob: Actor; // owner of b
  let carol: Actor; // operator of default and of b

  beforeAll(async () => {
    const db = tdb().db;
    ids.def = (await db.team.findUniqueOrThrow({ where: { name: 'default' } })).id;
    ids.b = (await createTeam(systemActor(), { name: 'b' }, db)).id;
    alice = member('alice', { [ids.def]: 'operator' });
    vic = member('vic', { [ids.def]: 'viewer' });
    bob = member('bob', { [ids.b]: 'owner' });
    carol = member('carol', { [ids.def]: 'operator', [ids.b]: 'operator' });
    // alice is in one team: no --team needed
    await createSecret(alice, { kind: 'secret', name: 'db_pw', data: Buffer.from('hunter2') }, box, db);
    await createSecret(alice, { kind: 'config', name: 'app_conf', data: Buffer.from('level=debug') }, box, db);
    await createService(alice, { spec: spec('web', { secrets: [{ source: 'db_pw' }] }) }, db);
    await deployStack(alice, stack('shop'), db, box);
  });

  it('puts what a one-team member creates in that team', async () => {
    const db = tdb().db;
    expect((await db.service.findMany({ orderBy: { name: 'asc' }, select: { name: true, teamId: true } })).map((s) => [s.name, s.teamId === ids.def])).toEqual([['shop_api', true], ['web', true]]);
    expect((await db.secret.findMany({ orderBy: { name: 'asc' }, select: { name: true, teamId: true } })).map((s) => [s.name, s.teamId === ids.def])).toEqual([['app_conf', true], ['db_pw', true], ['shop_pw', true]]);
    expect((await listServices(alice, {}, db)).map((s) => [s.name, s.team.name])).toEqual([['shop_api', 'default'], ['web', 'default']]);
  });

  it('shows another team nothing: lists are empty, and every name or id is NOT_FOUND exactly as an unknown one', async () => {
    const db = tdb().db;
    expect(await listServices(bob, {}, db)).toEqual([]);
    expect(await listServices(bob, { stack: 'shop' }, db)).toEqual([]);
    expect(await listStacks(bob, db)).toEqual([]);
    expect(await listSecrets(bob, 'secret', db)).toEqual([]);
    expect(await listSecrets(bob, 'config', db)).toEqual([]);
    const web = await db.service.findUniqueOrThrow({ where: { name: 'web' } });
    const pw = await db.secret.findFirstOrThrow({ where: { name: 'db_pw' } });
    const same = async (call: (ref: string) => Promise<unknown>, ref: string, what: string) => {
      const theirs = await failure(call(ref));
      const unknown = await failure(call('no-such-thing'));
      expect(theirs.code, what).toBe('NOT_FOUND');
      expect(theirs.message.replace(ref, 'REF'), what).toBe(unknown.message.replace('no-such-thing', 'REF'));
    };
    for (const ref of ['web', web.id]) {
      await same((r) => getService(bob, r, db), ref, 'inspect');
      await same((r) => updateService(bob, r, { spec: spec('web') }, db), ref, 'update');
      await same((r) => scaleService(bob, r, 5, undefined, db), ref, 'scale');
      await same((r) => rollbackService(bob, r, db), ref, 'rollback');
      await same((r) => removeService(bob, r, db), ref, 'rm');
    }
    await same((r) => removeStack(bob, r, db), 'shop', 'stack rm');
    for (const ref of ['db_pw', pw.id]) {
      await same((r) => inspectSecret(bob, 'secret', r, db), ref, 'secret inspect');
      await same((r) => removeSecret(bob, 'secret', r, db), ref, 'secret rm');
    }
    await same((r) => inspectSecret(bob, 'config', r, db), 'app_conf', 'config inspect');
    // nothing changed
    expect((await db.service.findUniqueOrThrow({ where: { name: 'web' } })).version).toBe(1);
    expect(await db.service.count({ where: { stack: 'shop' } })).toBe(1);
    expect(await db.secret.count()).toBe(3);
  });

  it('refuses a reference to another team\'s secret or config in the same words as a missing one', async () => {
    const db = tdb().db;
    for (const [kind, field, name] of [['secret', 'secrets', 'db_pw'], ['config', 'configs', 'app_conf']] as const) {
      const theirs = await failure(createService(bob, { spec: spec('bobs', { [field]: [{ source: name }] }) }, db));
      const missing = await failure(createService(bob, { spec: spec('bobs', { [field]: [{ source: 'nope' }] }) }, db));
      expect(theirs.code).toBe('INVALID');
      expect(theirs.message).toBe(`service bobs: no ${kind} ${name}: create it first with \`berth ${kind} create ${name} FILE\``);
      expect(theirs.message.replace(name, 'REF').replace(name, 'REF')).toBe(missing.message.replace('nope', 'REF').replace('nope', 'REF'));
    }
    // and through an update of one's own service, and as a stack's external secret
    await createService(bob, { spec: spec('bobs') }, db);
    expect((await failure(updateService(bob, 'bobs', { spec: spec('bobs', { secrets: [{ source: 'db_pw' }] }) }, db))).message).toMatch(/no secret db_pw: create it first/);
    const external: StackSpec = { ...stack('bobstack'), secrets: [{ name: 'db_pw', external: true }], services: [ServiceSpec.parse({ name: 'api', image: 'busybox', container: {}, secrets: [{ source: 'db_pw' }] })] };
    expect((await failure(deployStack(bob, external, db, box))).message).toBe('stack bobstack: the external secret db_pw does not exist: create it with `berth secret create db_pw FILE`');
    // names are unique across teams: a taken one is refused as one's own would be
    expect((await failure(createService(bob, { spec: spec('web') }, db))).message).toBe('a service named web exists already: choose another name, or berth service update it');
    const again = (a: Actor) => failure(createSecret(a, { kind: 'secret', name: 'db_pw', data: Buffer.from('x') }, box, db));
    expect((await again(bob)).message).toBe((await again(alice)).message);
    await removeService(bob, 'bobs', db);
  });

  it('lets a viewer of the team see its objects but change none', async () => {
    const db = tdb().db;
    expect((await listServices(vic, {}, db)).map((s) => s.name)).toEqual(['shop_api', 'web']);
    expect((await getService(vic, 'web', db)).team.name).toBe('default');
    expect((await listStacks(vic, db))).toEqual([{ name: 'shop', services: 1, team: { id: ids.def, name: 'default' } }]);
    expect((await inspectSecret(vic, 'secret', 'db_pw', db)).team.name).toBe('default');
    for (const [what, call] of [
      ['scaling a service', scaleService(vic, 'web', 2, undefined, db)],
      ['updating a service', updateService(vic, 'web', { spec: spec('web') }, db)],
      ['removing a service', removeService(vic, 'web', db)],
      ['removing a stack', removeStack(vic, 'shop', db)],
      ['removing a secret', removeSecret(vic, 'secret', 'db_pw', db)],
      ['creating a secret', createSecret(vic, { kind: 'secret', name: 'x', data: Buffer.from('x') }, box, db)],
      ['creating a service', createService(vic, { spec: spec('x') }, db)],
    ] as const) {
      const err = await failure(call);
      expect(err.code, what).toBe('FORBIDDEN');
      expect(err.message, what).toBe(`${what} needs the operator role; vic is viewer: ask an admin`);
    }
    // an owner of b who is only a viewer of default: the check is on the object's team
    const mixed = member('mia', { [ids.b]: 'owner', [ids.def]: 'viewer' });
    expect((await failure(scaleService(mixed, 'web', 2, undefined, db))).message).toBe('scaling a service needs the operator role on team default; mia is viewer there: ask a team admin');
  });

  it('asks which team when the caller could create in several, and takes --team', async () => {
    const db = tdb().db;
    const err = await failure(createService(carol, { spec: spec('two') }, db));
    expect(err.code).toBe('INVALID');
    expect(err.message).toBe('creating a service: you are operator or more in teams b, default: pass --team TEAM (`team` in the API) to say which');
    expect((await failure(createSecret(carol, { kind: 'secret', name: 's2', data: Buffer.from('x') }, box, db))).message).toMatch(/^creating a secret: you are operator or more in teams b, default: pass --team/);
    expect((await failure(deployStack(carol, stack('two'), db, box))).message).toMatch(/^deploying a stack: you are operator or more in teams b, default: pass --team/);
    // a site operator sees every team: the same question
    const siteOp = member('sam', {}, 'operator');
    expect((await failure(createService(siteOp, { spec: spec('two') }, db))).message).toMatch(/you are operator or more in teams b, default: pass --team/);
    expect(await db.service.count({ where: { name: 'two' } })).toBe(0);
    // named: there it goes; a team one cannot see is unknown
    await createService(carol, { spec: spec('two'), team: 'b' }, db);
    expect((await listServices(bob, {}, db)).map((s) => [s.name, s.team.name])).toEqual([['two', 'b']]);
    expect((await listServices(alice, {}, db)).map((s) => s.name)).not.toContain('two');
    expect(await failure(createService(alice, { spec: spec('three'), team: 'b' }, db))).toMatchObject({ code: 'NOT_FOUND', message: 'no team named b: `berth team ls` lists them' });
    await createSecret(carol, { kind: 'secret', name: 'b_pw', data: Buffer.from('x'), team: ids.b }, box, db);
    expect((await listSecrets(bob, 'secret', db)).map((s) => [s.name, s.team.name])).toEqual([['b_pw', 'b']]);
    await removeService(bob, 'two', db);
    await removeSecret(bob, 'secret', 'b_pw', db);
  });

  it('keeps a stack in one team: its secrets are made there, and a redeploy into another team is refused', async () => {
    const db = tdb().db;
    const result = await deployStack(carol, stack('bshop'), db, box, 'b');
    expect(result).toEqual([{ name: 'bshop_api', version: 1, action: 'created' }]);
    expect((await db.secret.findUniqueOrThrow({ where: { kind_name: { kind: 'secret', name: 'bshop_pw' } } })).teamId).toBe(ids.b);
    expect(await listStacks(bob, db)).toEqual([{ name: 'bshop', services: 1, team: { id: ids.b, name: 'b' } }]);
    const err = await failure(deployStack(carol, stack('bshop'), db, box, 'default'));
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'stack bshop belongs to team b: it cannot be deployed into team default; deploy it without --team, or remove it first (berth stack rm bshop)' });
    // without --team a redeploy stays where it is, even for a member of several teams
    expect(await deployStack(carol, stack('bshop'), db, box)).toEqual([{ name: 'bshop_api', version: 1, action: 'unchanged' }]);
    // another team's stack name is taken, and says no more
    expect(await failure(deployStack(alice, stack('bshop'), db, box))).toMatchObject({ code: 'CONFLICT', message: 'a stack named bshop exists already: choose another name' });
    await removeStack(bob, 'bshop', db);
    expect(await db.secret.count({ where: { name: 'bshop_pw' } })).toBe(0);
  });

  it('records the team on the audit entries, so each team reads its own', async () => {
    const db = tdb().db;
    await createService(bob, { spec: spec('audited') }, db);
    // (bob's own refused create of `web` is in his team's log: only what succeeded is compared)
    const seen = async (viewer: Actor) => (await listAuditEntries({ viewer, action: 'service.', outcome: 'ok' }, { limit: 100 }, db)).map((e) => `${e.action} ${e.objectId}`);
    expect(await seen(bob)).toContain('service.create audited');
    expect(await seen(bob)).not.toContain('service.create web');
    expect(await seen(vic)).toContain('service.create web');
    expect(await seen(vic)).not.toContain('service.create audited');
    expect((await db.auditEntry.findFirstOrThrow({ where: { action: 'service.create', objectId: 'audited' } })).teamId).toBe(ids.b);
    // the team is part of the chained hash, and entries without one hash as before
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
    await db.auditEntry.updateMany({ where: { action: 'service.create', objectId: 'audited' }, data: { teamId: ids.def } });
    expect((await verifyAudit(db)).ok).toBe(false);
    await db.auditEntry.updateMany({ where: { action: 'service.create', objectId: 'audited' }, data: { teamId: ids.b } });
    // a team that owns services cannot be removed (its objects would be orphans)
    expect((await failure(removeTeam(systemActor(), 'b', db))).message).toMatch(/^team b owns 1 service and 0 secrets or configs: remove them first/);
    await removeService(bob, 'audited', db);
  });
});
