import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import type { StackSpec } from '@berth/protocol';
import { ServiceSpec } from '@berth/protocol';
import { systemActor, type Actor } from '../actor.ts';
import { SecretBox } from '../registries/secret-box.ts';
import { createService, deployStack, removeStack } from '../services/service.ts';
import { createSecret, filesForReplica, inspectSecret, listSecrets, removeSecret } from './service.ts';

const operator: Actor = { ...systemActor('ops'), role: 'operator' };
const viewer: Actor = { ...systemActor('eve'), role: 'viewer' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

const stack = (pw: string): StackSpec => ({
  name: 'shop',
  services: [ServiceSpec.parse({ name: 'api', image: 'busybox', container: {}, secrets: [{ source: 'pw' }], configs: [{ source: 'conf', target: '/etc/app.conf', mode: 0o440 }] })],
  networks: [],
  volumes: [],
  secrets: [{ name: 'pw', external: false, data: b64(pw) }],
  configs: [{ name: 'conf', external: false, data: b64('level=debug') }],
});

describe('secrets and configs in Postgres', () => {
  const tdb = useTestDatabase();
  const box = SecretBox.fromKey(randomBytes(32));

  it('seals the content, never audits it, lists without it, and opens it only for a replica', async () => {
    const db = tdb().db;
    await createSecret(operator, { kind: 'secret', name: 'db_pw', data: Buffer.from('hunter2-core'), labels: { team: 'a' } }, box, db);
    const row = await db.secret.findFirstOrThrow({ where: { name: 'db_pw' } });
    expect(Buffer.from(row.sealed).includes(Buffer.from('hunter2-core'))).toBe(false);
    expect(Buffer.from(row.sealed).includes(Buffer.from(b64('hunter2-core')))).toBe(false);
    expect(JSON.stringify((await db.auditEntry.findMany()).map((a) => [a.params, a.error]))).not.toContain('hunter2');
    const listed = (await listSecrets(viewer, 'secret', db)).find((x) => x.name === 'db_pw');
    expect(listed).toMatchObject({ name: 'db_pw', size: 12, labels: { team: 'a' }, services: [] });
    expect(JSON.stringify(listed)).not.toContain('hunter2');
    // a sealed value moved to another row does not open there
    await createSecret(operator, { kind: 'secret', name: 'other', data: Buffer.from('x') }, box, db);
    await db.secret.update({ where: { kind_name: { kind: 'secret', name: 'other' } }, data: { sealed: row.sealed } });
    await expect(filesForReplica({ secrets: [{ source: 'other', mode: 0o444, uid: '0', gid: '0' }], configs: [] }, row.teamId, box, db)).rejects.toThrow(/does not open/);
    const files = await filesForReplica({ secrets: [{ source: 'db_pw', target: 'pw', mode: 0o400, uid: '33', gid: '33' }], configs: [] }, row.teamId, box, db);
    expect(files).toEqual([{ kind: 'secret', name: 'db_pw', target: '/run/secrets/pw', uid: 33, gid: 33, mode: 0o400, data: b64('hunter2-core') }]);
  });

  it('refuses what Docker refuses: a viewer, no key, a taken name, empty or oversized content, a bad name', async () => {
    const db = tdb().db;
    const make = (a: Actor, name: string, data: Buffer, b: SecretBox | null = box) => createSecret(a, { kind: 'secret', name, data }, b, db);
    await expect(make(viewer, 'a', Buffer.from('x'))).rejects.toThrow(/needs the operator role/);
    await expect(make(operator, 'a', Buffer.from('x'), null)).rejects.toThrow(/BERTH_SECRET_KEY_FILE/);
    await expect(make(operator, 'a', Buffer.alloc(0))).rejects.toThrow(/is empty/);
    await expect(make(operator, 'a', Buffer.alloc(500 * 1024 + 1))).rejects.toThrow(/at most 500 KB/);
    await expect(make(operator, '-a', Buffer.from('x'))).rejects.toThrow(/invalid secret name/);
    await make(operator, 'a', Buffer.from('x'));
    await expect(make(operator, 'a', Buffer.from('y'))).rejects.toThrow(/exists already: secrets cannot be changed/);
    expect(await db.secret.count({ where: { name: 'a' } })).toBe(1);
  });

  it('a service may mount only existing ones, and one in use cannot be removed', async () => {
    const db = tdb().db;
    await expect(createService(operator, { spec: { name: 'web', image: 'busybox', container: {}, secrets: [{ source: 'nope' }] } }, db)).rejects.toThrow(/no secret nope/);
    await createSecret(operator, { kind: 'config', name: 'conf', data: Buffer.from('x') }, box, db);
    await expect(createService(operator, { spec: { name: 'web', image: 'busybox', container: {}, configs: [{ source: 'conf' }, { source: 'conf', target: '/conf' }] } }, db)).rejects.toThrow(/two configs are mounted at \/conf/);
    await createService(operator, { spec: { name: 'web', image: 'busybox', container: {}, configs: [{ source: 'conf' }] } }, db);
    await expect(removeSecret(operator, 'config', 'conf', db)).rejects.toThrow(/config conf is in use by the service web/);
    expect((await listSecrets(viewer, 'config', db))[0]!.services).toEqual(['web']);
    expect(await inspectSecret(viewer, 'config', 'conf', db)).toMatchObject({ name: 'conf', size: 1, services: ['web'] });
    await expect(inspectSecret(viewer, 'secret', 'conf', db)).rejects.toThrow(/no secret conf/);
  });

  it('a stack makes STACK_NAME ones on its first deploy, keeps them on a same-content redeploy, refuses other content, and takes them away on rm', async () => {
    const db = tdb().db;
    await deployStack(operator, stack('pw-1'), db, box);
    expect((await db.secret.findMany({ where: { stack: 'shop' }, orderBy: { name: 'asc' } })).map((s) => [s.kind, s.name, s.stack])).toEqual([['config', 'shop_conf', 'shop'], ['secret', 'shop_pw', 'shop']]);
    const spec = (await db.service.findUniqueOrThrow({ where: { name: 'shop_api' } })).spec as ServiceSpec;
    // the file keeps the name the compose file used
    expect(spec.secrets).toEqual([{ source: 'shop_pw', target: 'pw', mode: 0o444, uid: '0', gid: '0' }]);
    const result = await deployStack(operator, stack('pw-1'), db, box);
    expect(result).toEqual([{ name: 'shop_api', version: 1, action: 'unchanged' }]);
    await expect(deployStack(operator, stack('pw-2'), db, box)).rejects.toThrow(/secret shop_pw exists with other content/);
    expect(await filesForReplica(spec, (await db.team.findUniqueOrThrow({ where: { name: 'default' } })).id, box, db)).toContainEqual(expect.objectContaining({ name: 'shop_pw', data: b64('pw-1') }));
    await removeStack(operator, 'shop', db);
    expect(await db.secret.count({ where: { name: { startsWith: 'shop_' } } })).toBe(0);
  });
});
