import { db as defaultDb, type Db } from '@berth/db';
import { requireRole, type Actor } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import type { SecretBox } from './secret-box.ts';

const REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/;

/**
 * The registry an image reference names, by Docker's rule: the first path component is a
 * registry when it has a dot or a port or is localhost; otherwise the image is on Docker Hub.
 */
export function registryOf(reference: string): string {
  const first = reference.split('/')[0]!;
  if (reference.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first.toLowerCase();
  return 'docker.io';
}

function normalizeRegistry(name: string): string {
  const r = name.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const canonical = r === 'index.docker.io' || r === 'registry-1.docker.io' || r === 'index.docker.io/v1' ? 'docker.io' : r;
  if (!REGISTRY.test(canonical)) throw new AppError('INVALID', `${JSON.stringify(name)} is not a registry name: give a host name with an optional port, e.g. registry.example.com:5000`);
  return canonical;
}

/** `docker login`: the password is sealed before it reaches the database, and never audited. */
export async function saveRegistryCredential(actor: Actor, input: { registry: string; username: string; password: string }, box: SecretBox, db: Db = defaultDb()) {
  requireRole(actor, 'admin', 'storing registry credentials');
  const registry = normalizeRegistry(input.registry);
  if (!input.username || !input.password) throw new AppError('INVALID', 'a username and a password (or token) are needed');
  const sealed = new Uint8Array(box.seal(input.password, registry));
  await audited(actor, { action: 'registry.login', objectType: 'registry', objectId: registry, params: { registry, username: input.username } }, (tx) =>
    tx.registryCredential.upsert({ where: { registry }, create: { registry, username: input.username, sealed, createdById: actor.id }, update: { username: input.username, sealed } }), db);
  return { registry, username: input.username };
}

/** `docker logout`. */
export async function removeRegistryCredential(actor: Actor, registryName: string, db: Db = defaultDb()) {
  requireRole(actor, 'admin', 'removing registry credentials');
  const registry = normalizeRegistry(registryName);
  await audited(actor, { action: 'registry.logout', objectType: 'registry', objectId: registry }, async (tx) => {
    const r = await tx.registryCredential.deleteMany({ where: { registry } });
    if (r.count === 0) throw new AppError('NOT_FOUND', `not logged in to ${registry}`);
  }, db);
  return { registry };
}

/** What is stored, without the secrets. */
export async function listRegistryCredentials(_actor: Actor, db: Db = defaultDb()) {
  return db.registryCredential.findMany({ orderBy: { registry: 'asc' }, select: { registry: true, username: true, updatedAt: true } });
}

/** The credentials for the registry an image lives on, opened for one operation; null when none are stored. */
export async function credentialsForImage(reference: string, box: SecretBox | null, db: Db = defaultDb()): Promise<{ username: string; password: string } | null> {
  const row = await db.registryCredential.findUnique({ where: { registry: registryOf(reference) } });
  if (!row) return null;
  if (!box) throw new AppError('INVALID', `credentials for ${row.registry} are stored but this control plane has no secret key: set BERTH_SECRET_KEY_FILE`);
  return { username: row.username, password: box.open(row.sealed, row.registry) };
}
