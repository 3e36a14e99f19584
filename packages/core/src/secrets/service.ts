import { randomUUID } from 'node:crypto';
import { db as defaultDb, type Db, type Prisma } from '@berth/db';
import { fileTarget, SERVICE_NAME, type ServiceSpec } from '@berth/protocol';
import { byNameOrId, requireRoleSomewhere, requireTeamRole, teamWhere, type Actor } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import type { SecretBox } from '../registries/secret-box.ts';
import { teamForNew } from '../teams/service.ts';

type Tx = Prisma.TransactionClient;
export type SecretKind = 'secret' | 'config';

/** Docker's limits: a secret up to 500 KB, a config up to 1000 KB. */
export const MAX_SIZE: Record<SecretKind, number> = { secret: 500 * 1024, config: 1000 * 1024 };


const noBox = (kind: SecretKind) =>
  new AppError('INVALID', `${kind}s are sealed with the control plane's key and this control plane has none: set BERTH_SECRET_KEY_FILE (\`berth up\` makes one) and restart it`);

const sealContext = (kind: SecretKind, id: string) => `${kind}:${id}`;

function checkName(kind: SecretKind, name: string): void {
  if (!SERVICE_NAME.test(name)) throw new AppError('INVALID', `invalid ${kind} name ${JSON.stringify(name)}: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters`);
}

function checkData(kind: SecretKind, name: string, data: Buffer): void {
  if (data.length === 0) throw new AppError('INVALID', `${kind} ${name} is empty: give its content in a file or on standard input`);
  if (data.length > MAX_SIZE[kind]) throw new AppError('INVALID', `${kind} ${name} is ${data.length} bytes; a ${kind} holds at most ${MAX_SIZE[kind] / 1024} KB`);
}

/**
 * A taken name. Names are unique across teams (as host names are): another team's secret's
 * name is refused in the same words as one's own, which says only that the name is in use.
 */
const nameInUse = (kind: SecretKind, name: string) =>
  new AppError('CONFLICT', `${kind} ${name} exists already: ${kind}s cannot be changed; create one under a new name and point the service to it (\`berth service update --${kind}-rm ${name} --${kind}-add NEW\`)`);

/** Inserts a sealed row; the caller audits. The content never leaves this function but sealed. */
async function insertSecret(tx: Tx, box: SecretBox, actor: Actor, input: { kind: SecretKind; name: string; data: Buffer; labels?: Record<string, string>; stack?: string | null; teamId: string }) {
  checkName(input.kind, input.name);
  checkData(input.kind, input.name, input.data);
  if (await tx.secret.findUnique({ where: { kind_name: { kind: input.kind, name: input.name } }, select: { id: true } })) throw nameInUse(input.kind, input.name);
  const id = randomUUID();
  const sealed = new Uint8Array(box.seal(input.data.toString('base64'), sealContext(input.kind, id)));
  return tx.secret.create({
    data: { id, kind: input.kind, name: input.name, sealed, size: input.data.length, labels: input.labels ?? {}, stack: input.stack ?? null, teamId: input.teamId, createdById: actor.id },
    select: SUMMARY,
  });
}

const SUMMARY = { id: true, kind: true, name: true, size: true, labels: true, stack: true, createdAt: true, team: { select: { id: true, name: true } } } as const;

/** The same for a secret of another team as for one that does not exist. */
const noSuch = (kind: SecretKind, name: string) => new AppError('NOT_FOUND', `no ${kind} ${name}: list them with \`berth ${kind} ls\``);

/** `docker secret create` / `docker config create`: sealed before it reaches the database, never audited. */
export async function createSecret(actor: Actor, input: { kind: SecretKind; name: string; data: Buffer; labels?: Record<string, string>; team?: string }, box: SecretBox | null, db: Db = defaultDb()) {
  const what = `creating a ${input.kind}`;
  requireRoleSomewhere(actor, 'operator', what);
  const team = await teamForNew(actor, input.team, { role: 'operator', what }, db);
  if (!box) throw noBox(input.kind);
  const { team: _ref, ...rest } = input;
  return audited(actor, { action: `${input.kind}.create`, objectType: input.kind, objectId: input.name, teamId: team.id, params: { name: input.name, size: input.data.length, labels: input.labels ?? {}, team: team.name } }, (tx) => insertSecret(tx, box, actor, { ...rest, teamId: team.id }), db);
}

/** `docker secret ls`: names, sizes and dates, never content. */
export async function listSecrets(actor: Actor, kind: SecretKind, db: Db = defaultDb()) {
  const rows = await db.secret.findMany({ where: { kind, ...teamWhere(actor) }, orderBy: { name: 'asc' }, select: SUMMARY });
  const users = await servicesUsing(db, kind, rows.map((r) => r.name));
  return rows.map((r) => ({ ...r, labels: r.labels as Record<string, string>, services: users.get(r.name) ?? [] }));
}

export async function inspectSecret(actor: Actor, kind: SecretKind, name: string, db: Db = defaultDb()) {
  // one row and its users, not the whole list
  const row = await db.secret.findFirst({ where: { kind, ...byNameOrId(name), ...teamWhere(actor) }, select: SUMMARY });
  if (!row) throw noSuch(kind, name);
  return { ...row, labels: row.labels as Record<string, string>, services: (await servicesUsing(db, kind, [row.name])).get(row.name) ?? [] };
}

/** The services whose current spec mounts each named secret (config). */
async function servicesUsing(db: Db | Tx, kind: SecretKind, names: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!names.length) return out;
  const field = kind === 'secret' ? 'secrets' : 'configs';
  const rows = await db.$queryRaw<{ name: string; source: string }[]>`
    SELECT s.name, ref->>'source' AS source
      FROM services s, jsonb_array_elements(s.spec->${field}) ref
     WHERE ref->>'source' = ANY(${names}::text[])`;
  for (const r of rows) out.set(r.source, [...(out.get(r.source) ?? []), r.name]);
  return out;
}

/** `docker secret rm`: refused while a service mounts it. */
export async function removeSecret(actor: Actor, kind: SecretKind, name: string, db: Db = defaultDb()) {
  const what = `removing a ${kind}`;
  requireRoleSomewhere(actor, 'operator', what);
  const found = await db.secret.findFirst({ where: { kind, ...byNameOrId(name), ...teamWhere(actor) }, select: { id: true, team: { select: { id: true, name: true } } } });
  if (!found) throw noSuch(kind, name);
  requireTeamRole(actor, found.team.id, 'operator', what, found.team.name);
  return audited(actor, { action: `${kind}.remove`, objectType: kind, objectId: name, teamId: found.team.id }, async (tx) => {
    const row = await tx.secret.findUnique({ where: { id: found.id } });
    if (!row) throw noSuch(kind, name);
    const users = (await servicesUsing(tx, kind, [row.name])).get(row.name);
    if (users?.length) throw new AppError('CONFLICT', `${kind} ${row.name} is in use by the service${users.length > 1 ? 's' : ''} ${users.join(', ')}: take it out of ${users.length > 1 ? 'those services' : 'that service'} first (\`berth service update --${kind}-rm ${row.name} ${users[0]}\`)`);
    await tx.secret.delete({ where: { id: row.id } });
    return { name: row.name };
  }, db);
}

/**
 * A spec may mount only secrets and configs that exist in its service's team: checked when it
 * is written. Another team's is refused as a missing one, so its name leaks nothing.
 */
export async function checkFileReferences(tx: Db | Tx, spec: Pick<ServiceSpec, 'name' | 'secrets' | 'configs'>, teamId: string): Promise<void> {
  for (const kind of ['secret', 'config'] as const) {
    const refs = kind === 'secret' ? spec.secrets : spec.configs;
    if (!refs.length) continue;
    const names = [...new Set(refs.map((r) => r.source))];
    const found = new Set((await tx.secret.findMany({ where: { kind, name: { in: names }, teamId }, select: { name: true } })).map((r) => r.name));
    const missing = names.filter((n) => !found.has(n));
    if (missing.length) throw new AppError('INVALID', `service ${spec.name}: no ${kind} ${missing.join(', ')}: create ${missing.length > 1 ? 'them' : 'it'} first with \`berth ${kind} create ${missing[0]} FILE\``);
    const targets = refs.map((r) => fileTarget(kind, r));
    const dup = targets.find((t, i) => targets.indexOf(t) !== i);
    if (dup) throw new AppError('INVALID', `service ${spec.name}: two ${kind}s are mounted at ${dup}: give one another target`);
  }
}

/** One file for a replica: what the agent mounts, content base64. */
export interface ReplicaFile {
  kind: SecretKind;
  name: string;
  target: string;
  uid: number;
  gid: number;
  mode: number;
  data: string;
}

/**
 * The secrets and configs a replica mounts, opened for one container.create. Only the
 * reconciler calls this; the content goes straight to the agent and nowhere else.
 */
export async function filesForReplica(spec: Pick<ServiceSpec, 'secrets' | 'configs'>, teamId: string, box: SecretBox | null, db: Db = defaultDb()): Promise<ReplicaFile[]> {
  const out: ReplicaFile[] = [];
  for (const kind of ['secret', 'config'] as const) {
    const refs = kind === 'secret' ? spec.secrets : spec.configs;
    if (!refs.length) continue;
    if (!box) throw noBox(kind);
    // only its team's: a secret written by name cannot cross teams even if the spec was written before teams
    const rows = new Map((await db.secret.findMany({ where: { kind, name: { in: refs.map((r) => r.source) }, teamId } })).map((r) => [r.name, r]));
    for (const ref of refs) {
      const row = rows.get(ref.source);
      if (!row) throw new AppError('NOT_FOUND', `${kind} ${ref.source} no longer exists: create it again, or remove it from the service`);
      out.push({ kind, name: row.name, target: fileTarget(kind, ref), uid: Number(ref.uid), gid: Number(ref.gid), mode: ref.mode, data: box.open(row.sealed, sealContext(kind, row.id)) });
    }
  }
  return out;
}

/**
 * A stack's own secrets and configs (`docker stack deploy`): made as STACK_NAME on the first
 * deploy; a later deploy with the same content leaves them; other content is refused, as
 * Docker refuses it (they are immutable: rename one to rotate it). External ones must exist.
 */
export async function ensureStackFiles(
  tx: Tx,
  box: SecretBox | null,
  actor: Actor,
  stack: string,
  files: { kind: SecretKind; name: string; scoped: string; external: boolean; data?: string | undefined }[],
  teamId: string,
): Promise<void> {
  for (const f of files) {
    const found = await tx.secret.findUnique({ where: { kind_name: { kind: f.kind, name: f.scoped } } });
    // another team's is as good as missing (external), or a name in use (the stack's own)
    const row = found?.teamId === teamId ? found : null;
    if (found && !row && !f.external) throw nameInUse(f.kind, f.scoped);
    if (f.external) {
      if (!row) throw new AppError('INVALID', `stack ${stack}: the external ${f.kind} ${f.scoped} does not exist: create it with \`berth ${f.kind} create ${f.scoped} FILE\``);
      continue;
    }
    if (f.data === undefined) throw new AppError('INVALID', `stack ${stack}: ${f.kind} ${f.name} has no content: give it a file, an environment variable or content`);
    if (!box) throw noBox(f.kind);
    const data = Buffer.from(f.data, 'base64');
    if (!row) {
      await insertSecret(tx, box, actor, { kind: f.kind, name: f.scoped, data, stack, teamId });
      continue;
    }
    const same = box.open(row.sealed, sealContext(f.kind, row.id)) === data.toString('base64');
    if (!same) throw new AppError('CONFLICT', `stack ${stack}: ${f.kind} ${f.scoped} exists with other content, and ${f.kind}s cannot be changed: give the new content a new name in the compose file to rotate it`);
  }
}

/** A stack's own secrets and configs go with it, unless a service outside it mounts one; external ones stay. */
export async function removeStackFiles(tx: Tx, stack: string): Promise<void> {
  for (const kind of ['secret', 'config'] as const) {
    const rows = await tx.secret.findMany({ where: { stack, kind }, select: { id: true, name: true } });
    const used = await servicesUsing(tx, kind, rows.map((r) => r.name));
    await tx.secret.deleteMany({ where: { id: { in: rows.filter((r) => !used.has(r.name)).map((r) => r.id) } } });
  }
}
