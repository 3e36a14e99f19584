// Docker's swarm verbs for berth's desired state: service create|ls|ps|inspect|scale|update|
// rollback|rm. A service's replicas are placed and kept running by the control plane's
// reconciler; these verbs change the declared spec and show how far the fleet has got.
import { readFileSync } from 'node:fs';
import { formatPorts, parseGoDuration, parsePublish, type PortEntry, type ServiceSpec, type ServiceSpecInput } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { parseFlags, type FlagSpec } from '../flags.ts';
import { humanDuration, table } from '../format.ts';
import { parseBytes, parseRunArgs, RUN_FLAGS } from './run-flags.ts';
import { forEach, usage, type VerbContext } from './verbs.ts';

export const SERVICE_USAGE = `Usage: berth service COMMAND

Manage services: containers the control plane places on hosts and keeps running

Commands:
  create [OPTIONS] IMAGE [COMMAND] [ARG...]
                        create a service (docker run's flags, plus those below)
  ls [-q] [--format json]
                        list services with their running/desired replicas
  ps SERVICE            a service's replicas: host, desired and current state, errors
  inspect SERVICE...    the spec, its versions and the reconciler's timeline, as JSON
  scale SERVICE=REPLICAS...
                        change the number of replicas
  update [OPTIONS] SERVICE
                        change the image, replicas or settings (a rolling update)
  rollback SERVICE      go back to the version before the current one
  rm SERVICE...         remove services and their replicas

Service options (create and update):
      --name NAME               the service's name (create)
      --team TEAM               the team that owns it (create; needed when you are an
                                operator in more than one team)
      --replicas N              replicas (default 1)
      --mode replicated|global  global: one replica on every eligible host
      --constraint EXPR         placement constraint: node.labels.zone==eu, node.hostname!=h1,
                                node.platform.arch==x86_64 (repeatable)
      --placement-pref spread=node.labels.KEY
                                spread replicas evenly over the label's values
      --max-replicas-per-host N
      --reserve-memory BYTES, --reserve-cpu CPUS
                                what the scheduler keeps free for each replica
      --update-parallelism N    replicas replaced at once (0: all; default 1)
      --update-delay DURATION   pause between batches (e.g. 10s)
      --update-order stop-first|start-first
      --update-failure-action rollback|pause|continue   (default rollback)
      --update-monitor DURATION how long a new replica must stay up to count (default 5s)
      --update-max-failure-ratio RATIO
      --network NAME            networks the replicas join (repeatable)
      --image IMAGE             the new image (update)
      --secret NAME | source=NAME,target=PATH,uid=N,gid=N,mode=0400
                                a secret as a file in each replica (/run/secrets/NAME by
                                default; repeatable); update: --secret-add, --secret-rm NAME
      --config NAME | source=NAME,target=PATH,…
                                a config as a file (/NAME by default); --config-add, --config-rm
  -d, --detach                  return at once instead of waiting for the replicas (create, update, scale)
`;

const SERVICE_FLAGS: FlagSpec = {
  team: { type: 'string' },
  replicas: { type: 'string' },
  mode: { type: 'string' },
  constraint: { type: 'string', multiple: true },
  'placement-pref': { type: 'string', multiple: true },
  'max-replicas-per-host': { type: 'string' },
  'reserve-memory': { type: 'string' },
  'reserve-cpu': { type: 'string' },
  'update-parallelism': { type: 'string' },
  'update-delay': { type: 'string' },
  'update-order': { type: 'string' },
  'update-failure-action': { type: 'string' },
  'update-monitor': { type: 'string' },
  'update-max-failure-ratio': { type: 'string' },
  network: { type: 'string', multiple: true },
  image: { type: 'string' },
  secret: { type: 'string', multiple: true },
  config: { type: 'string', multiple: true },
  'secret-add': { type: 'string', multiple: true },
  'secret-rm': { type: 'string', multiple: true },
  'config-add': { type: 'string', multiple: true },
  'config-rm': { type: 'string', multiple: true },
  detach: { type: 'boolean', short: 'd' },
};

type FileRef = NonNullable<ServiceSpecInput['secrets']>[number];

/** docker's --secret / --config: NAME, or source=NAME[,target=PATH][,uid=N][,gid=N][,mode=0400]. */
export function parseFileReference(flag: string, text: string): FileRef {
  if (!text.includes('=')) return { source: text };
  const ref: Partial<FileRef> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    if (k === 'source' || k === 'src') ref.source = v;
    else if (k === 'target') ref.target = v;
    else if (k === 'uid' || k === 'gid') {
      if (!/^\d+$/.test(v)) throw new UserError(`--${flag} ${JSON.stringify(text)}: ${k} is a number, not ${JSON.stringify(v)}`);
      ref[k] = v;
    } else if (k === 'mode') {
      if (!/^[0-7]{1,4}$/.test(v)) throw new UserError(`--${flag} ${JSON.stringify(text)}: mode is octal, such as 0400, not ${JSON.stringify(v)}`);
      ref.mode = parseInt(v, 8);
    } else throw new UserError(`--${flag} ${JSON.stringify(text)}: unknown field ${JSON.stringify(k)}: use source, target, uid, gid or mode`);
  }
  if (!ref.source) throw new UserError(`--${flag} ${JSON.stringify(text)}: give the ${flag.replace(/-add$/, '')}'s name as source=NAME`);
  return ref as FileRef;
}

/** --secret (the whole list), then --secret-rm NAME and --secret-add REF, as docker service update. */
function applyFileFlags(f: ReturnType<typeof parseFlags>, kind: 'secret' | 'config', current: FileRef[] | undefined): FileRef[] | undefined {
  let refs = f.has(kind) ? f.list(kind).map((t) => parseFileReference(kind, t)) : current;
  if (!f.has(`${kind}-rm`) && !f.has(`${kind}-add`)) return refs;
  const rm = new Set(f.list(`${kind}-rm`));
  refs = (refs ?? []).filter((r) => !rm.has(r.source));
  for (const t of f.list(`${kind}-add`)) {
    const ref = parseFileReference(`${kind}-add`, t);
    refs = [...refs.filter((r) => r.source !== ref.source), ref];
  }
  return refs;
}

/**
 * Takes the service flags out of argv (they and the other flags are told apart by name), so
 * the rest goes through its own parser (`run`'s for create) unchanged. `other` says which of
 * the rest take a value.
 */
export function splitServiceFlags(argv: string[], other: FlagSpec): { service: string[]; run: string[] } {
  const service: string[] = [];
  const run: string[] = [];
  const byShort = new Map(Object.entries(other).filter(([, d]) => d.short).map(([name, d]) => [d.short!, name]));
  const takesValue = (a: string): boolean => {
    const name = a.startsWith('--') ? a.slice(2) : byShort.get(a.slice(-1)) ?? '';
    return other[name]?.type === 'string';
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '--') {
      run.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]! : a === '-d' ? 'detach' : '';
    const def = SERVICE_FLAGS[name];
    if (!def) {
      run.push(a);
      // the other flag's value travels with it
      if (!a.includes('=') && i + 1 < argv.length && takesValue(a)) run.push(argv[++i]!);
      continue;
    }
    service.push(a);
    if (def.type === 'string' && !a.includes('=') && i + 1 < argv.length) service.push(argv[++i]!);
  }
  return { service, run };
}

function durationMs(verb: string, flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  // zero is a fine delay or monitor period here (unlike a healthcheck's interval)
  if (/^0+(ms|s|m|h)?$/.test(text.trim())) return 0;
  try {
    return parseGoDuration(text, `--${flag}`);
  } catch (err) {
    throw new UserError(`service ${verb}: ${(err as Error).message}`);
  }
}

/** The service flags given, as changes to a spec (only what was given). */
export function applyServiceFlags(verb: string, argv: string[], spec: ServiceSpecInput & { mode?: ServiceSpec['mode'] }): { detach: boolean; team?: string } {
  const f = parseFlags(`service ${verb}`, argv, SERVICE_FLAGS);
  const bad = (m: string) => new UserError(`service ${verb}: ${m}`);
  const team = f.str('team');
  if (team !== undefined && verb !== 'create') throw bad('--team is for create: a service stays in the team it was made in (to move it, create it in the other team and remove this one)');
  const mode = f.str('mode');
  if (mode !== undefined && mode !== 'replicated' && mode !== 'global') throw bad(`--mode is replicated or global, not ${JSON.stringify(mode)}`);
  const replicas = f.int('replicas', { min: 0, max: 10_000 });
  if (mode === 'global' && replicas !== undefined) throw bad('--replicas can only be used with replicated mode');
  if (mode === 'global') spec.mode = { mode: 'global' };
  else if (replicas !== undefined || mode === 'replicated') spec.mode = { mode: 'replicated', replicas: replicas ?? (spec.mode?.mode === 'replicated' ? spec.mode.replicas : 1) };
  const placement = { ...(spec.placement ?? {}) };
  if (f.has('constraint')) placement.constraints = f.list('constraint');
  if (f.has('placement-pref')) {
    placement.preferences = f.list('placement-pref').map((p) => {
      const m = /^spread=(.+)$/.exec(p);
      if (!m) throw bad(`--placement-pref ${JSON.stringify(p)}: use spread=node.labels.KEY`);
      return { spread: m[1]! };
    });
  }
  const perHost = f.int('max-replicas-per-host', { min: 1 });
  if (perHost !== undefined) placement.maxReplicasPerHost = perHost;
  spec.placement = placement;
  const reserveMemory = f.str('reserve-memory');
  const reserveCpu = f.str('reserve-cpu');
  if (reserveMemory !== undefined || reserveCpu !== undefined) {
    const cpus = reserveCpu === undefined ? spec.reservations?.cpus : Number(reserveCpu);
    if (cpus !== undefined && !(cpus >= 0)) throw bad(`--reserve-cpu must be a number such as 0.5, not ${JSON.stringify(reserveCpu)}`);
    spec.reservations = { ...(spec.reservations ?? {}), ...(reserveMemory !== undefined ? { memoryBytes: parseBytes(reserveMemory) } : {}), ...(cpus !== undefined ? { cpus } : {}) };
  }
  const update = { ...(spec.update ?? {}) };
  const parallelism = f.int('update-parallelism', { min: 0 });
  if (parallelism !== undefined) update.parallelism = parallelism;
  const delay = durationMs(verb, 'update-delay', f.str('update-delay'));
  if (delay !== undefined) update.delayMs = delay;
  const monitor = durationMs(verb, 'update-monitor', f.str('update-monitor'));
  if (monitor !== undefined) update.monitorMs = monitor;
  const order = f.str('update-order');
  if (order !== undefined) {
    if (order !== 'stop-first' && order !== 'start-first') throw bad(`--update-order is stop-first or start-first, not ${JSON.stringify(order)}`);
    update.order = order;
  }
  const action = f.str('update-failure-action');
  if (action !== undefined) {
    if (action !== 'rollback' && action !== 'pause' && action !== 'continue') throw bad(`--update-failure-action is rollback, pause or continue, not ${JSON.stringify(action)}`);
    update.failureAction = action;
  }
  const ratio = f.str('update-max-failure-ratio');
  if (ratio !== undefined) {
    const r = Number(ratio);
    if (!(r >= 0 && r <= 1)) throw bad(`--update-max-failure-ratio is a number from 0 to 1, not ${JSON.stringify(ratio)}`);
    update.maxFailureRatio = r;
  }
  spec.update = update;
  if (f.has('network')) spec.networks = f.list('network');
  if (f.str('image') !== undefined) spec.image = f.str('image')!;
  const secrets = applyFileFlags(f, 'secret', spec.secrets);
  if (secrets) spec.secrets = secrets;
  const configs = applyFileFlags(f, 'config', spec.configs);
  if (configs) spec.configs = configs;
  return { detach: f.bool('detach'), ...(team !== undefined ? { team } : {}) };
}

const readFile = (file: string) => readFileSync(file, 'utf8');

/** The run flags `service update` takes besides the service flags: whole new values for these lists. */
export const UPDATE_FLAGS: FlagSpec = { env: { type: 'string', short: 'e', multiple: true }, publish: { type: 'string', short: 'p', multiple: true }, label: { type: 'string', short: 'l', multiple: true }, force: { type: 'boolean' } };

async function serviceCreate(ctx: VerbContext, argv: string[]): Promise<number> {
  if (argv[0] === '--help') return ctx.io.out(SERVICE_USAGE), 0;
  const { service, run } = splitServiceFlags(argv, RUN_FLAGS);
  const parsed = parseRunArgs('create', run, { readFile, environ: process.env });
  const { image, name, network, networkAliases: _a, ipv4Address: _i, stdinOnce: _s, autoRemove: _r, ...container } = parsed.spec;
  if (!name) throw new UserError('service create: give the service a name with --name NAME');
  if (network !== undefined) throw new UserError('service create: use --network NAME (repeatable) for the networks the replicas join');
  const spec: ServiceSpecInput & { mode?: ServiceSpec['mode'] } = { name, image, container };
  const { detach, team } = applyServiceFlags('create', service, spec);
  const r = await ctx.api.services.create.mutate({ spec: spec as ServiceSpec, ...(team ? { team } : {}) });
  ctx.io.out(`${r.id}\n`);
  return detach ? 0 : converge(ctx, r.name, r.version);
}

/** Waits (as docker service create does without -d) until the replicas run, or says why not. */
async function converge(ctx: VerbContext, name: string, version: number, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const said = new Set<string>();
  while (Date.now() < deadline && !ctx.signal.aborted) {
    const s = await ctx.api.services.get.query({ name });
    if (s.version > version && s.updateState === 'rollback_started') version = s.version;
    const live = s.replicas.filter((r) => r.desired === 'running' && r.template === s.template);
    const running = live.filter((r) => r.state === 'running').length;
    const desired = s.desired ?? live.length;
    const line = `${name}: ${running}/${desired} running${s.updateState ? ` (${s.updateState.replace('_', ' ')})` : ''}`;
    if (line !== last && ctx.io.isTTY) ctx.io.err(`${line}\n`);
    last = line;
    const unplaced = s.events.find((e) => e.kind === 'unplaced');
    if (s.updateState === 'paused' || s.updateState === 'rollback_paused') throw new UserError(`service ${name}: update paused: ${s.updateReason ?? 'replicas failed'}`);
    if (s.updateState === 'rollback_completed') throw new UserError(`service ${name}: the update failed and was rolled back: ${s.updateReason ?? ''}`);
    if (running === desired && s.replicas.every((r) => r.desired !== 'running' || r.template === s.template) && s.updateState !== 'updating' && s.updateState !== 'rollback_started') {
      ctx.io.err(`${name}: converged (${running}/${desired} running)\n`);
      return 0;
    }
    // why replicas fit nowhere, once per explanation
    if (unplaced && Date.now() - new Date(unplaced.at).getTime() < 10_000 && running < desired && !said.has(unplaced.message)) {
      said.add(unplaced.message);
      ctx.io.err(`${name}: ${unplaced.message}\n`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  ctx.io.err(`${name}: not converged yet (${last}); the control plane keeps working on it: berth service ps ${name}\n`);
  return 1;
}

async function serviceLs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service ls', argv, { quiet: { type: 'boolean', short: 'q' }, format: { type: 'string' } });
  const rows = await ctx.api.services.list.query({});
  if (f.bool('quiet')) return ctx.io.out(rows.map((s) => `${s.id.replace(/-/g, '').slice(0, 12)}\n`).join('')), 0;
  if (f.str('format') === 'json') return ctx.io.out(rows.map((s) => `${JSON.stringify(s)}\n`).join('')), 0;
  // TEAM always, as `berth hosts` shows it; last, so docker's columns keep their places
  ctx.io.out(table(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS', 'TEAM'], rows.map((s) => [
    s.id.replace(/-/g, '').slice(0, 12), s.name, s.mode, `${s.running}/${s.desired ?? s.running}${s.updateState === 'updating' ? ' (updating)' : ''}`, s.spec.image,
    formatPorts(s.spec.container.publish.flatMap(portsOf)), s.team.name,
  ])));
  return 0;
}

/** A published port as ps's PORTS shows it, through the one -p parser (a range gives each port). */
function portsOf(publish: string): PortEntry[] {
  try {
    return parsePublish(publish).map((b) => ({ containerPort: b.containerPort, protocol: b.protocol, hostIp: b.hostIp || '0.0.0.0', ...(b.hostPort ? { hostPort: b.hostPort } : {}) }));
  } catch {
    // the control plane checked it when the service was written
    return [];
  }
}

const STATE_WORDS: Record<string, string> = { new: 'New', starting: 'Starting', running: 'Running', created: 'Created', exited: 'Failed', dead: 'Failed', failed: 'Rejected', gone: 'Orphaned', unhealthy: 'Unhealthy', restarting: 'Restarting', paused: 'Paused' };

export function replicasTable(rows: { id: string; slot: number; host: string; name: string; version: number; desired: string; state: string; error: string | null; createdAt: string; readyAt: string | null; service: string; image: string }[], now = Date.now()): string {
  return table(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'], rows.map((r) => {
    const since = r.readyAt ?? r.createdAt;
    const label = r.slot > 0 ? `${r.service}.${r.slot}` : `${r.service}.${r.host}`;
    return [
      r.id.replace(/-/g, '').slice(0, 12),
      // docker service ps marks a slot's older replicas with \_
      label, r.image, r.host,
      r.desired === 'running' ? 'Running' : 'Shutdown',
      `${STATE_WORDS[r.state] ?? r.state} ${humanDuration(Math.max(0, now - new Date(since).getTime()))} ago`,
      r.error ? `"${r.error.length > 60 ? `${r.error.slice(0, 59)}…` : r.error}"` : '',
    ];
  }));
}

async function servicePs(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service ps', argv, { format: { type: 'string' } });
  if (f.positionals.length < 1) throw usage('service ps', 'SERVICE...', 'requires at least 1 argument');
  const rows = [];
  for (const name of f.positionals) {
    const s = await ctx.api.services.get.query({ name });
    rows.push(...s.replicas.map((r) => ({ ...r, service: s.name })));
  }
  if (f.str('format') === 'json') return ctx.io.out(rows.map((r) => `${JSON.stringify(r)}\n`).join('')), 0;
  ctx.io.out(replicasTable(rows));
  return 0;
}

async function serviceInspect(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service inspect', argv, {});
  if (!f.positionals.length) throw usage('service inspect', 'SERVICE...', 'requires at least 1 argument');
  const found: unknown[] = [];
  const code = await forEach(ctx, f.positionals, async (name) => {
    found.push(await ctx.api.services.get.query({ name }));
    return '';
  });
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return code;
}

async function serviceScale(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service scale', argv, { detach: { type: 'boolean', short: 'd' } });
  if (!f.positionals.length) throw usage('service scale', 'SERVICE=REPLICAS...', 'requires at least 1 argument');
  const wanted = f.positionals.map((p) => {
    const m = /^([^=]+)=(\d+)$/.exec(p);
    if (!m) throw new UserError(`service scale: ${JSON.stringify(p)} is not SERVICE=REPLICAS`);
    return { name: m[1]!, replicas: Number(m[2]) };
  });
  let failed = 0;
  for (const w of wanted) {
    try {
      const r = await ctx.api.services.scale.mutate(w);
      ctx.io.out(`${w.name} scaled to ${w.replicas}\n`);
      if (!f.bool('detach')) failed += await converge(ctx, w.name, r.version);
    } catch (err) {
      failed++;
      ctx.io.err(`berth: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function serviceUpdate(ctx: VerbContext, argv: string[]): Promise<number> {
  const name = argv[argv.length - 1];
  if (!name || name.startsWith('-')) throw usage('service update', '[OPTIONS] SERVICE', 'requires exactly 1 argument');
  const current = await ctx.api.services.get.query({ name });
  const spec = structuredClone(current.spec) as ServiceSpecInput & { mode?: ServiceSpec['mode'] };
  const { service, run } = splitServiceFlags(argv.slice(0, -1), UPDATE_FLAGS);
  const f = parseFlags('service update', run, UPDATE_FLAGS);
  if (f.positionals.length) throw usage('service update', '[OPTIONS] SERVICE', `unexpected argument ${JSON.stringify(f.positionals[0])}`);
  const { detach } = applyServiceFlags('update', service, spec);
  const container = { ...current.spec.container };
  if (f.has('env')) container.env = [...container.env.filter((e) => !f.list('env').some((n) => n.split('=')[0] === e.split('=')[0])), ...f.list('env').filter((e) => e.includes('='))];
  if (f.has('publish')) container.publish = f.list('publish');
  if (f.has('label')) container.labels = { ...container.labels, ...Object.fromEntries(f.list('label').map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')])) };
  // --force replaces the replicas even when nothing changed, as docker's does
  if (f.bool('force')) container.labels = { ...container.labels, 'berth.service.force': String(Date.now()) };
  spec.container = container;
  const r = await ctx.api.services.update.mutate({ name, spec: spec as ServiceSpec, expectedVersion: current.version });
  ctx.io.out(`${name}\n`);
  return detach ? 0 : converge(ctx, name, r.version, 600_000);
}

async function serviceRollback(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service rollback', argv, { detach: { type: 'boolean', short: 'd' } });
  if (f.positionals.length !== 1) throw usage('service rollback', 'SERVICE', 'requires exactly 1 argument');
  const r = await ctx.api.services.rollback.mutate({ name: f.positionals[0]! });
  ctx.io.out(`${r.name}\nrollback: manually requested rollback\n`);
  return f.bool('detach') ? 0 : converge(ctx, r.name, r.version, 600_000);
}

async function serviceRm(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('service rm', argv, {});
  if (!f.positionals.length) throw usage('service rm', 'SERVICE...', 'requires at least 1 argument');
  return forEach(ctx, f.positionals, async (name) => {
    await ctx.api.services.remove.mutate({ name });
  });
}

const SERVICE_SUB: Record<string, (ctx: VerbContext, argv: string[]) => Promise<number>> = {
  create: serviceCreate, ls: serviceLs, list: serviceLs, ps: servicePs, inspect: serviceInspect, scale: serviceScale, update: serviceUpdate, rollback: serviceRollback, rm: serviceRm, remove: serviceRm,
};

export async function serviceCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') return ctx.io.out(SERVICE_USAGE), sub === undefined ? 1 : 0;
  const verb = SERVICE_SUB[sub];
  if (!verb) throw new UserError(`service: unknown command ${JSON.stringify(sub)}: use create, ls, ps, inspect, scale, update, rollback or rm`);
  return verb(ctx, rest);
}
