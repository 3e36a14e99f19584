import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { systemActor } from '../actor.ts';
import { credentialsForImage, listRegistryCredentials, registryOf, removeRegistryCredential, saveRegistryCredential } from './credentials.ts';
import { SecretBox } from './secret-box.ts';

describe('registry names as docker reads them', () => {
  it('finds the registry of a reference', () => {
    expect(registryOf('nginx')).toBe('docker.io');
    expect(registryOf('user/app:1')).toBe('docker.io');
    expect(registryOf('127.0.0.1:5000/team/app')).toBe('127.0.0.1:5000');
    expect(registryOf('localhost/app')).toBe('localhost');
    expect(registryOf('ghcr.io/org/app@sha256:' + 'a'.repeat(64))).toBe('ghcr.io');
  });
});

describe('sealed secrets', () => {
  it('opens only with the same key and the same context', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal('hunter2', 'registry.example.com');
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(box.open(sealed, 'registry.example.com')).toBe('hunter2');
    expect(() => box.open(sealed, 'evil.example.com')).toThrow(/does not open/);
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'registry.example.com')).toThrow(/does not open/);
    expect(() => SecretBox.fromKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('registry credentials in Postgres', () => {
  const tdb = useTestDatabase();

  it('stores the password sealed, never in the audit log, and hands it out per image', async () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const admin = systemActor('admin');
    await saveRegistryCredential(admin, { registry: 'https://Registry.Example.com:5000/', username: 'ci', password: 'pa55-word' }, box, tdb().db);
    const row = await tdb().db.registryCredential.findUniqueOrThrow({ where: { registry: 'registry.example.com:5000' } });
    expect(Buffer.from(row.sealed).includes(Buffer.from('pa55-word'))).toBe(false);
    const audit = await tdb().db.auditEntry.findMany({ where: { action: 'registry.login' } });
    expect(JSON.stringify(audit.map((a) => ({ params: a.params, error: a.error })))).not.toContain('pa55-word');
    expect(audit[0]!.params).toEqual({ registry: 'registry.example.com:5000', username: 'ci' });
    expect(await credentialsForImage('registry.example.com:5000/team/app:1', box, tdb().db)).toEqual({ username: 'ci', password: 'pa55-word' });
    expect(await credentialsForImage('busybox', box, tdb().db)).toBeNull();
    expect(JSON.stringify(await listRegistryCredentials(admin, tdb().db))).not.toContain('pa55');

    const viewer = { ...admin, role: 'viewer' as const };
    await expect(saveRegistryCredential(viewer, { registry: 'x.io', username: 'a', password: 'b' }, box, tdb().db)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(saveRegistryCredential(admin, { registry: 'bad host;rm', username: 'a', password: 'b' }, box, tdb().db)).rejects.toMatchObject({ code: 'INVALID' });
    await removeRegistryCredential(admin, 'registry.example.com:5000', tdb().db);
    await expect(removeRegistryCredential(admin, 'registry.example.com:5000', tdb().db)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
