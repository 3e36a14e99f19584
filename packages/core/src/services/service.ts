// Services and stacks as the user declares them (issue 8). Every change is a new version in
// service_versions; callers name the version they read, and a change made by someone else in
// between is refused (optimistic concurrency) rather than silently overwritten. The reconciler
// (reconciler.ts) makes the hosts match the current version.
import { isDeepStrictEqual } from 'node:util';
import { db as defaultDb, type Db, type Prisma } from '@berth/db';
import { ServiceSpec, type ServiceSpecInput, type StackSpec } from '@berth/protocol';
import type { Actor } from '../actor.ts';
import { byNameOrId, requireRoleSomewhere, requireTeamRole, teamWhere, visibleTeamIds } from '../actor.ts';
import { audited } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import type { SecretBox } from '../registries/secret-box.ts';
import { parseConstraints, parseSpreadPreference } from '../scheduler/index.ts';
import { checkFileReferences, ensureStackFiles, removeStackFiles } from '../secrets/service.ts';
import { teamForNew } from '../teams/service.ts';
import { stackScoped, templateOf } from './spec.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** What the audit log keeps of a spec: env values and secret contents left out. */
function auditedServiceSpec(spec: ServiceSpec): Record<string, unknown> {
  const { container, ...rest } = spec;
  return { ...rest, container: { ...container, env: container.env.map((e) => e.slice(0, Math.max(0, e.indexOf('=')))) } };
}

function parseSpec(input: ServiceSpecInput | ServiceSpec): ServiceSpec {
  const parsed = ServiceSpec.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('INVALID', `service spec: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  checkPlacement(parsed.data);
  return parsed.data;
}

/** Constraints and preferences that the scheduler could not read are refused when written. */
function checkPlacement(spec: ServiceSpec): void {
  try {
    parseConstraints(spec.placement.constraints);
    spec.placement.preferences.forEach((p) => parseSpreadPreference(p.spread));
  } catch (err) {
    throw new AppError('INVALID', `service ${spec.name}: ${(err as Error).message}`);
  }
}

// A service belongs to one team (as a host does): only the team's members and site roles see
// it, and another team's is answered exactly as an unknown one, by name or by id.
const noSuchService = (ref: string) => new AppError('NOT_FOUND', `no such service: ${ref} (berth service ls lists them)`, { service: ref });

/**
 * The service to change, by name or id, when the actor has `operator` on its team: refused at
 * once when it has it nowhere; another team's service is NOT_FOUND as an unknown one.
 */
async function serviceToChange(actor: Actor, ref: string, what: string, db: Db) {
  requireRoleSomewhere(actor, 'operator', what);
  const row = await db.service.findFirst({ where: { AND: [byNameOrId(ref), teamWhere(actor)] }, select: { id: true, name: true, teamId: true, team: { select: { name: true } } } });
  if (!row) throw noSuchService(ref);
  requireTeamRole(actor, row.teamId, 'operator', what, row.team.name);
  return row;
}

/** The row itself, read again inside the change's transaction. */
async function findService(id: string, name: string, db: Db | Tx) {
  const row = await db.service.findUnique({ where: { id } });
  if (!row) throw noSuchService(name);
  return row;
}

function checkVersion(row: { name: string; version: number; updatedAt: Date }, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version) {
    throw new AppError('CONFLICT', `service ${row.name} was changed meanwhile (it is at version ${row.version}, you read version ${expected}, changed ${row.updatedAt.toISOString()}): reload it and make your change again`, { service: row.name, version: row.version });
  }
}

/** Writes a new version of a service (inside the caller's transaction). */
async function writeVersion(tx: Tx, row: { id: string; version: number; teamId: string }, spec: ServiceSpec, note: string, actor: Actor, extra: { previous?: number | null; updateState?: string | null; updateReason?: string | null } = {}) {
  await checkFileReferences(tx, spec, row.teamId);
  const version = row.version + 1;
  // the compare-and-set: a concurrent writer that read the same version loses here
  const { count } = await tx.service.updateMany({
    where: { id: row.id, version: row.version },
    data: { version, spec: spec as object, updateFailures: 0, updateStartedAt: null, ...extra },
  });
  if (count !== 1) throw new AppError('CONFLICT', `service ${spec.name} was changed meanwhile: reload it and make your change again`);
  await tx.serviceVersion.create({ data: { serviceId: row.id, version, spec: spec as object, note, createdBy: actor.name } });
  await tx.serviceEvent.create({ data: { serviceId: row.id, kind: 'version', message: `version ${version}: ${note} (by ${actor.name})` } });
  return version;
}

export interface ServiceWrite {
  spec: ServiceSpecInput;
  /** the stack it belongs to; its name is then STACK_NAME */
  stack?: string;
  /** the team that owns it (name or id); see teamForNew when absent */
  team?: string;
}

export async function createService(actor: Actor, input: ServiceWrite, db: Db = defaultDb()) {
  const what = 'creating a service';
  requireRoleSomewhere(actor, 'operator', what);
  const spec = parseSpec(input.spec);
  const team = await teamForNew(actor, input.team, { role: 'operator', what }, db);
  const name = stackScoped(input.stack, spec.name);
  return audited(actor, { action: 'service.create', objectType: 'service', objectId: name, teamId: team.id, params: { ...auditedServiceSpec(spec), team: team.name } }, (tx) => insertService(tx, name, input.stack ?? null, spec, actor, team.id), db);
}

/** Names are unique across teams (as host names): another team's service's name is refused in the same words. */
async function insertService(tx: Tx, name: string, stack: string | null, spec: ServiceSpec, actor: Actor, teamId: string) {
  if (await tx.service.findUnique({ where: { name }, select: { id: true } })) throw new AppError('CONFLICT', `a service named ${name} exists already: choose another name, or berth service update it`);
  await checkFileReferences(tx, spec, teamId);
  const row = await tx.service.create({ data: { name, stack, spec: spec as object, version: 1, teamId } });
  await tx.serviceVersion.create({ data: { serviceId: row.id, version: 1, spec: spec as object, note: 'create', createdBy: actor.name } });
  await tx.serviceEvent.create({ data: { serviceId: row.id, kind: 'version', message: `version 1: created by ${actor.name}` } });
  return { id: row.id, name, version: 1 };
}

export async function updateService(actor: Actor, name: string, input: { spec: ServiceSpecInput; expectedVersion?: number; note?: string }, db: Db = defaultDb()) {
  const target = await serviceToChange(actor, name, 'updating a service', db);
  const spec = parseSpec(input.spec);
  return audited(actor, { action: 'service.update', objectType: 'service', objectId: target.name, teamId: target.teamId, params: { expectedVersion: input.expectedVersion, spec: auditedServiceSpec(spec) } }, async (tx) => {
    const row = await findService(target.id, name, tx);
    checkVersion(row, input.expectedVersion);
    if (spec.name !== (row.spec as ServiceSpec).name) throw new AppError('INVALID', `a service cannot be renamed (${(row.spec as ServiceSpec).name} → ${spec.name}): create a new one`);
    const version = await writeVersion(tx, row, spec, input.note ?? 'update', actor, { previous: row.version, updateState: null, updateReason: null });
    return { id: row.id, name: row.name, version };
  }, db);
}

export async function scaleService(actor: Actor, name: string, replicas: number, expectedVersion?: number, db: Db = defaultDb()) {
  const target = await serviceToChange(actor, name, 'scaling a service', db);
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 10_000) throw new AppError('INVALID', `replicas must be a whole number from 0 to 10000, not ${replicas}`);
  return audited(actor, { action: 'service.scale', objectType: 'service', objectId: target.name, teamId: target.teamId, params: { replicas } }, async (tx) => {
    const row = await findService(target.id, name, tx);
    checkVersion(row, expectedVersion);
    const spec = row.spec as ServiceSpec;
    if (spec.mode.mode === 'global') throw new AppError('INVALID', `${row.name} is a global service (one replica per host): it cannot be scaled; change its placement instead`);
    const version = await writeVersion(tx, row, { ...spec, mode: { mode: 'replicated', replicas } }, `scale to ${replicas}`, actor);
    return { id: row.id, name: row.name, version };
  }, db);
}

/** `docker service rollback`: the version before the current one becomes current again. */
export async function rollbackService(actor: Actor, name: string, db: Db = defaultDb()) {
  const target = await serviceToChange(actor, name, 'rolling back a service', db);
  return audited(actor, { action: 'service.rollback', objectType: 'service', objectId: target.name, teamId: target.teamId }, async (tx) => {
    const row = await findService(target.id, name, tx);
    return rollbackTo(tx, row, `rollback requested by ${actor.name}`, actor);
  }, db);
}

/** Makes the previous version's spec current again, as a new version (the reconciler's rollback too). */
export async function rollbackTo(tx: Tx, row: { id: string; name: string; version: number; previous: number | null; teamId: string }, why: string, actor: Actor) {
  const target = row.previous ?? row.version - 1;
  if (target < 1) throw new AppError('CONFLICT', `service ${row.name} has no earlier version to roll back to`);
  const earlier = await tx.serviceVersion.findUnique({ where: { serviceId_version: { serviceId: row.id, version: target } } });
  if (!earlier) throw new AppError('NOT_FOUND', `service ${row.name} has no version ${target}`);
  const version = await writeVersion(tx, row, earlier.spec as ServiceSpec, `rollback to version ${target}: ${why}`, actor, {
    previous: row.version,
    updateState: 'rollback_started',
    updateReason: why,
  });
  return { id: row.id, name: row.name, version };
}

/** The service's record goes at once; the reconciler then removes its replicas (found by their labels). */
export async function removeService(actor: Actor, name: string, db: Db = defaultDb()) {
  const target = await serviceToChange(actor, name, 'removing a service', db);
  return audited(actor, { action: 'service.remove', objectType: 'service', objectId: target.name, teamId: target.teamId }, async (tx) => {
    const row = await findService(target.id, name, tx);
    await tx.service.delete({ where: { id: row.id } });
    return { name: row.name };
  }, db);
}

export interface ServiceView {
  id: string;
  name: string;
  stack: string | null;
  /** the team that owns it */
  team: { id: string; name: string };
  version: number;
  spec: ServiceSpec;
  mode: 'replicated' | 'global';
  /** replicas wanted (for global: the hosts it runs on when converged, unknown here: null) */
  desired: number | null;
  running: number;
  updateState: string | null;
  updateReason: string | null;
  updatedAt: string;
}

export async function listServices(actor: Actor, q: { stack?: string } = {}, db: Db = defaultDb()): Promise<ServiceView[]> {
  return serviceViews({ ...(q.stack ? { stack: q.stack } : {}), ...teamWhere(actor) }, db);
}

/** The services matching `where`, each with its running replicas counted (only theirs). */
async function serviceViews(where: Prisma.ServiceWhereInput, db: Db): Promise<ServiceView[]> {
  const rows = await db.service.findMany({ where, orderBy: { name: 'asc' }, include: { team: { select: { id: true, name: true } } } });
  const running = await db.replica.groupBy({ by: ['serviceId'], where: { serviceId: { in: rows.map((r) => r.id) }, desired: 'running', state: 'running' }, _count: { _all: true } });
  const count = new Map(running.map((r) => [r.serviceId, r._count._all]));
  return rows.map((r) => {
    const spec = r.spec as ServiceSpec;
    return {
      id: r.id, name: r.name, stack: r.stack, team: r.team, version: r.version, spec,
      mode: spec.mode.mode,
      desired: spec.mode.mode === 'replicated' ? spec.mode.replicas : null,
      running: count.get(r.id) ?? 0,
      updateState: r.updateState, updateReason: r.updateReason, updatedAt: r.updatedAt.toISOString(),
    };
  });
}

export async function getService(actor: Actor, name: string, db: Db = defaultDb()) {
  const [view] = await serviceViews({ AND: [byNameOrId(name), teamWhere(actor)] }, db);
  if (!view) throw noSuchService(name);
  const [versions, events, replicas] = await Promise.all([
    db.serviceVersion.findMany({ where: { serviceId: view.id }, orderBy: { version: 'desc' }, take: 50, select: { version: true, note: true, createdBy: true, createdAt: true } }),
    db.serviceEvent.findMany({ where: { serviceId: view.id }, orderBy: { id: 'desc' }, take: 100 }),
    db.replica.findMany({ where: { serviceId: view.id }, orderBy: [{ slot: 'asc' }, { createdAt: 'desc' }] }),
  ]);
  // only the hosts this service's replicas and events name, not the whole fleet
  const hostIds = [...new Set([...replicas.map((r) => r.hostId), ...events.flatMap((e) => (e.hostId ? [e.hostId] : []))])];
  const [hosts, made] = await Promise.all([
    db.host.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } }),
    // each replica's image is its version's: an update's old replicas show the old one
    db.serviceVersion.findMany({ where: { serviceId: view.id, version: { in: [...new Set(replicas.map((r) => r.version))] } }, select: { version: true, spec: true } }),
  ]);
  const hostName = new Map(hosts.map((h) => [h.id, h.name]));
  const imageOf = new Map(made.map((v) => [v.version, (v.spec as ServiceSpec).image]));
  return {
    ...view,
    /** what the replicas' containers must be made of to be up to date */
    template: templateOf(view.spec),
    versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
    events: events.map((e) => ({ id: Number(e.id), at: e.at.toISOString(), kind: e.kind, message: e.message, host: e.hostId ? (hostName.get(e.hostId) ?? null) : null })),
    replicas: replicas.map((r) => ({
      id: r.id, slot: r.slot, host: hostName.get(r.hostId) ?? r.hostId, hostId: r.hostId, name: r.containerName, containerId: r.containerId,
      version: r.version, image: imageOf.get(r.version) ?? view.spec.image, template: r.template, desired: r.desired, state: r.state, error: r.error, createdAt: r.createdAt.toISOString(), readyAt: r.readyAt?.toISOString() ?? null,
    })),
  };
}

/** `docker stack deploy`: creates or updates each service; services no longer in the file go. */
/**
 * The stack's own secrets and configs are named STACK_NAME, as `docker stack deploy` names
 * them; its services' references follow, keeping the file name the compose file meant
 * (/run/secrets/NAME). External ones keep their names.
 */
function scopeStackFiles(stack: StackSpec) {
  const files = (['secret', 'config'] as const).flatMap((kind) =>
    (kind === 'secret' ? stack.secrets : stack.configs).map((f) => ({ kind, name: f.name, external: f.external, data: f.data, scoped: f.external ? f.name : stackScoped(stack.name, f.name) })),
  );
  const rename = (kind: 'secret' | 'config', refs: ServiceSpec['secrets']) =>
    refs.map((r) => {
      const f = files.find((x) => x.kind === kind && x.name === r.source && !x.external);
      return f ? { ...r, source: f.scoped, target: r.target ?? r.source } : r;
    });
  const services = stack.services.map((s) => ({ ...s, secrets: rename('secret', s.secrets), configs: rename('config', s.configs) }));
  return { files, services };
}

/**
 * The team a stack deploy writes into: a stack's services share one team, so a redeploy goes
 * to the team it has (into another is refused); a new stack to the one named or the caller's
 * one team (teamForNew). Another team's stack's name is refused as a taken name.
 */
async function stackTeam(actor: Actor, stack: string, ref: string | undefined, db: Db) {
  const what = 'deploying a stack';
  const existing = await db.service.findFirst({ where: { stack }, select: { teamId: true, team: { select: { id: true, name: true } } } });
  if (!existing) return teamForNew(actor, ref, { role: 'operator', what }, db);
  const teams = visibleTeamIds(actor);
  if (teams && !teams.includes(existing.teamId)) throw new AppError('CONFLICT', `a stack named ${stack} exists already: choose another name`);
  if (ref && ref !== existing.team.name && ref !== existing.team.id) {
    throw new AppError('CONFLICT', `stack ${stack} belongs to team ${existing.team.name}: it cannot be deployed into team ${ref}; deploy it without --team, or remove it first (berth stack rm ${stack})`);
  }
  requireTeamRole(actor, existing.teamId, 'operator', what, existing.team.name);
  return existing.team;
}

export async function deployStack(actor: Actor, input: StackSpec, db: Db = defaultDb(), box: SecretBox | null = null, teamRef?: string) {
  const { files, services } = scopeStackFiles(input);
  const stack = { ...input, services };
  requireRoleSomewhere(actor, 'operator', 'deploying a stack');
  const names = new Set<string>();
  for (const s of stack.services) {
    if (names.has(s.name)) throw new AppError('INVALID', `stack ${stack.name}: the service ${s.name} is declared twice`);
    checkPlacement(s);
    names.add(s.name);
    for (const n of s.networks) {
      if (!stack.networks.some((d) => d.name === n)) throw new AppError('INVALID', `stack ${stack.name}: service ${s.name} joins the network ${n}, which the stack does not declare`);
    }
    for (const d of s.dependsOn) {
      if (!stack.services.some((o) => o.name === d.service)) throw new AppError('INVALID', `stack ${stack.name}: service ${s.name} depends on ${d.service}, which the stack does not have`);
    }
  }
  const team = await stackTeam(actor, stack.name, teamRef, db);
  return audited(actor, { action: 'stack.deploy', objectType: 'stack', objectId: stack.name, teamId: team.id, params: { services: stack.services.map((s) => s.name), networks: stack.networks.map((n) => n.name), files: files.map((f) => `${f.kind} ${f.scoped}`), team: team.name } }, async (tx) => {
    await ensureStackFiles(tx, box, actor, stack.name, files, team.id);
    const objects = { networks: stack.networks as object[], volumes: stack.volumes as object[] };
    await tx.stack.upsert({ where: { name: stack.name }, create: { name: stack.name, ...objects }, update: objects });
    const existing = await tx.service.findMany({ where: { stack: stack.name } });
    // another deploy may have made it meanwhile, into another team
    if (existing.some((r) => r.teamId !== team.id)) throw new AppError('CONFLICT', `stack ${stack.name} was deployed into another team meanwhile: reload and deploy again`);
    const byName = new Map(existing.map((r) => [r.name, r]));
    const result: { name: string; version: number; action: 'created' | 'updated' | 'unchanged' | 'removed' }[] = [];
    for (const s of stack.services) {
      const name = stackScoped(stack.name, s.name);
      const row = byName.get(name);
      if (!row) {
        if (await tx.service.findUnique({ where: { name }, select: { id: true } })) throw new AppError('CONFLICT', `a service named ${name} exists outside the stack ${stack.name}: remove or rename it first`);
        await insertService(tx, name, stack.name, s, actor, team.id);
        result.push({ name, version: 1, action: 'created' });
      } else if (isDeepStrictEqual(row.spec, s)) {
        // key by key: jsonb keeps keys in its own order
        result.push({ name, version: row.version, action: 'unchanged' });
      } else {
        const version = await writeVersion(tx, row, s, `stack deploy by ${actor.name}`, actor, { previous: row.version, updateState: null, updateReason: null });
        result.push({ name, version, action: 'updated' });
      }
      byName.delete(name);
    }
    for (const row of byName.values()) {
      await tx.service.delete({ where: { id: row.id } });
      result.push({ name: row.name, version: row.version, action: 'removed' });
    }
    return result;
  }, db);
}

const noSuchStack = (stack: string) => new AppError('NOT_FOUND', `no such stack: ${stack} (berth stack ls lists them)`);

export async function removeStack(actor: Actor, stack: string, db: Db = defaultDb()) {
  const what = 'removing a stack';
  requireRoleSomewhere(actor, 'operator', what);
  const one = await db.service.findFirst({ where: { stack, ...teamWhere(actor) }, select: { teamId: true, team: { select: { name: true } } } });
  if (!one) throw noSuchStack(stack);
  requireTeamRole(actor, one.teamId, 'operator', what, one.team.name);
  return audited(actor, { action: 'stack.remove', objectType: 'stack', objectId: stack, teamId: one.teamId }, async (tx) => {
    const rows = await tx.service.findMany({ where: { stack, teamId: one.teamId }, select: { id: true, name: true } });
    if (rows.length === 0) throw noSuchStack(stack);
    await tx.service.deleteMany({ where: { stack } });
    await tx.stack.deleteMany({ where: { name: stack } });
    await removeStackFiles(tx, stack);
    return { removed: rows.map((r) => r.name) };
  }, db);
}

export async function listStacks(actor: Actor, db: Db = defaultDb()) {
  const rows = await db.service.groupBy({ by: ['stack', 'teamId'], where: { stack: { not: null }, ...teamWhere(actor) }, _count: { _all: true }, orderBy: { stack: 'asc' } });
  const teams = new Map((await db.team.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.teamId))] } }, select: { id: true, name: true } })).map((t) => [t.id, t]));
  return rows.map((r) => ({ name: r.stack!, services: r._count._all, team: teams.get(r.teamId) ?? { id: r.teamId, name: r.teamId } }));
}

/** Records what the reconciler did, for the service's timeline. */
export async function recordServiceEvent(db: Db | Tx, serviceId: string, kind: string, message: string, hostId?: string | null): Promise<void> {
  await db.serviceEvent.create({ data: { serviceId, kind, message, hostId: hostId ?? null } });
}

