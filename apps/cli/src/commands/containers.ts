// Docker's container verbs: ps, run, create, start, stop, restart, kill, pause, unpause, rm,
// rename, wait, logs, exec, inspect, stats.
import { readFileSync } from 'node:fs';
import { ContainerStatus, formatPorts, type ContainerSummary } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { parseFlags, type Flags } from '../flags.ts';
import { ago, binarySize, ellipsis, humanSize, table } from '../format.ts';
import { subscription } from '../subscribe.ts';
import { pullWithProgress } from './images.ts';
import { parseRunArgs, RUN_USAGE } from './run-flags.ts';
import { apiCode, forEach, hostFor, message, usage, type VerbContext } from './verbs.ts';

const HOST_FLAG = { host: { type: 'string' as const, short: 'H' } };

// --- ps ------------------------------------------------------------------------------------------

export type PsRow = ContainerSummary & { host: string };

/** The COMMAND cell: quoted, cut to 20 characters unless --no-trunc. */
export const commandCell = (command: string, noTrunc: boolean): string => `"${noTrunc ? command : ellipsis(command, 20)}"`;

/** `docker ps` layout (PORTS as docker words it: 127.0.0.1:8080->80/tcp, 443/tcp); HOST only when the listing spans several hosts. */
export function psTable(rows: PsRow[], o: { noTrunc: boolean; showHost: boolean; now?: number }): string {
  const headers = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];
  const cells = (c: PsRow) => [o.noTrunc ? c.id : c.id.slice(0, 12), o.noTrunc ? c.image : ellipsis(c.image, 40), commandCell(c.command, o.noTrunc), ago(c.created, o.now), c.status, formatPorts(c.ports), c.name.replace(/^\//, '')];
  if (!o.showHost) return table(headers, rows.map(cells));
  return table([...headers, 'HOST'], rows.map((c) => [...cells(c), c.host]));
}

const HEALTH_FILTER = ['starting', 'healthy', 'unhealthy', 'none'] as const;
const PS_FILTER_KEYS = ['status', 'name', 'id', 'label', 'ancestor', 'exited', 'health'];

const bareId = (id: string) => id.replace(/^sha256:/, '');

/** Whether a container comes from `image` as `ancestor=` names it: the reference as written (a tag, or any tag of the repository), or the image ID or a prefix of it. */
function fromImage(c: ContainerSummary, image: string): boolean {
  const id = bareId(c.imageId);
  const wanted = bareId(image);
  return c.image === image || c.image.startsWith(`${image}:`) || c.image.startsWith(`${image}@`) || (wanted.length >= 4 && /^[0-9a-f]+$/.test(wanted) && id.startsWith(wanted));
}

/**
 * `ps --filter KEY=VALUE`, as docker reads it: values of one key are or-ed, keys and-ed, every
 * `label` must match. `status` lists stopped containers without -a, as docker's does (`all`).
 * `keep` takes the IDs of the images the `ancestor` values name on the container's host, as the
 * host resolved them (see ancestorImages), beside the references as written.
 */
export function psFilter(filters: string[]): { keep: (c: ContainerSummary, ancestorIds?: ReadonlySet<string>) => boolean; all: boolean; ancestors: string[] } {
  const by = new Map<string, string[]>();
  for (const text of filters) {
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? '' : text.slice(eq + 1);
    const invalid = (why: string) => new UserError(`ps: invalid filter ${JSON.stringify(text)}: ${why}`);
    if (key === 'health' && !(HEALTH_FILTER as readonly string[]).includes(value)) throw invalid(`health is one of ${HEALTH_FILTER.join(', ')}`);
    if (key === 'status' && !ContainerStatus.safeParse(value).success) throw invalid(`status is one of ${ContainerStatus.options.join(', ')}`);
    if (key === 'exited' && !/^-?\d+$/.test(value)) throw invalid('exited takes an exit code (exited=0)');
    if (key === 'name') {
      try {
        new RegExp(value);
      } catch {
        throw invalid('name takes a regular expression, which this is not');
      }
    }
    if (!PS_FILTER_KEYS.includes(key)) throw invalid(`berth ps filters on ${PS_FILTER_KEYS.slice(0, -1).join(', ')} and ${PS_FILTER_KEYS.at(-1)}`);
    if (!value) throw invalid(`give ${key} a value: ${key}=VALUE`);
    by.set(key, [...(by.get(key) ?? []), value]);
  }
  const any = (key: string, match: (v: string) => boolean) => !by.has(key) || by.get(key)!.some(match);
  const nameRe = new Map((by.get('name') ?? []).map((v) => [v, new RegExp(v)]));
  const keep = (c: ContainerSummary, ancestorIds?: ReadonlySet<string>) =>
    any('health', (v) => v === (c.health ?? 'none')) &&
    any('status', (v) => v === c.state) &&
    any('exited', (v) => c.state === 'exited' && c.exitCode === Number(v)) &&
    any('name', (v) => nameRe.get(v)!.test(c.name.replace(/^\//, ''))) &&
    any('id', (v) => c.id.startsWith(v)) &&
    (any('ancestor', (v) => fromImage(c, v)) || !!ancestorIds?.has(bareId(c.imageId))) &&
    (by.get('label') ?? []).every((v) => {
      const eq = v.indexOf('=');
      return eq < 0 ? v in c.labels : c.labels[v.slice(0, eq)] === v.slice(eq + 1);
    });
  return { keep, all: by.has('status'), ancestors: by.get('ancestor') ?? [] };
}

/**
 * The images `ancestor=` values name, by host, as each host resolves them: `nginx` is
 * docker.io/library/nginx:latest, an ID prefix is that image. A name a host lacks names nothing
 * there, as docker ignores an ancestor it cannot find.
 */
async function ancestorImages(ctx: VerbContext, hosts: string[], refs: string[]): Promise<Map<string, Set<string>>> {
  const byHost = new Map<string, Set<string>>();
  await Promise.all(hosts.flatMap((host) => refs.map(async (ref) => {
    const image = await ctx.api.images.inspect.query({ host, ref }).catch(() => null);
    const id = image && typeof image.id === 'string' ? bareId(image.id) : null;
    if (!id) return;
    if (!byHost.has(host)) byHost.set(host, new Set());
    byHost.get(host)!.add(id);
  })));
  return byHost;
}

export async function psCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('ps', argv, { all: { type: 'boolean', short: 'a' }, quiet: { type: 'boolean', short: 'q' }, 'no-trunc': { type: 'boolean' }, format: { type: 'string' }, filter: { type: 'string', short: 'f', multiple: true }, ...HOST_FLAG });
  if (f.positionals.length) throw usage('ps', '[-a] [-q] [--no-trunc] [--format json] [--filter KEY=VALUE]', `unexpected argument ${JSON.stringify(f.positionals[0])}`);
  const format = f.str('format');
  if (format !== undefined && format !== 'json') throw new UserError(`ps: unknown --format ${format}: only json is supported`);
  const { keep, all, ancestors } = psFilter(f.list('filter'));
  const host = f.str('host') ?? ctx.host;
  const r = await ctx.api.containers.list.query({ ...(host ? { host } : {}), all: f.bool('all') || all });
  for (const u of r.unavailable) ctx.io.err(`berth: ${u.host}: ${u.reason} (its containers are not listed)\n`);
  const images = ancestors.length ? await ancestorImages(ctx, [...new Set(r.containers.map((c) => c.host))], ancestors) : new Map<string, Set<string>>();
  const rows = r.containers.filter((c) => keep(c, images.get(c.host)));
  if (f.bool('quiet')) {
    ctx.io.out(rows.map((c) => `${f.bool('no-trunc') ? c.id : c.id.slice(0, 12)}\n`).join(''));
  } else if (format === 'json') {
    ctx.io.out(rows.map((c) => `${JSON.stringify(c)}\n`).join(''));
  } else {
    ctx.io.out(psTable(rows, { noTrunc: f.bool('no-trunc'), showHost: !host && r.hosts.length > 1 }));
  }
  return 0;
}

// --- run / create --------------------------------------------------------------------------------

export async function createCommand(ctx: VerbContext, argv: string[], verb: 'run' | 'create'): Promise<number> {
  const args = parseRunArgs(verb, argv, { environ: process.env, readFile: (p) => readFileSync(p, 'utf8') });
  if (args.help) return ctx.io.out(RUN_USAGE(verb)), 0;
  const host = await hostFor(ctx, args.host);
  // run -i / -t: created, then started by the attach itself so that no output is missed
  const attached = verb === 'run' && !args.detach && (args.spec.tty || args.spec.openStdin);
  if (attached && args.spec.tty && !process.stdin.isTTY) throw new UserError('the input device is not a TTY: drop -t, or run berth from a terminal', 125);
  const create = () => ctx.api.containers.create.mutate({ host, spec: args.spec, start: verb === 'run' && !attached, removeIfNotStarted: args.removeAfter });
  let created: Awaited<ReturnType<typeof create>>;
  try {
    try {
      created = await create();
    } catch (err) {
      // as docker does: an image that is not there yet is pulled first
      if (apiCode(err) !== 'NOT_FOUND' || !/no such image/i.test((err as Error).message)) throw err;
      ctx.io.err(`Unable to find image '${args.spec.image}' locally\n`);
      await pullWithProgress(ctx, host, args.spec.image, { out: ctx.io.err, err: ctx.io.err, isTTY: false });
      created = await create();
    }
  } catch (err) {
    // created but not started (the server removed it for --rm): docker run's exit code for a
    // command not found (127) or not executable (126), 125 for anything else
    const exitCode = (err as { data?: { details?: { exitCode?: unknown } | null } }).data?.details?.exitCode;
    throw new UserError(message(err, ctx.env), exitCode === 126 || exitCode === 127 ? exitCode : 125);
  }
  if (verb === 'create' || args.detach) return ctx.io.out(`${created.id}\n`), 0;
  if (attached) {
    const { runExecSession } = await import('../terminal/exec-session.ts');
    let detached = false;
    const code = await runExecSession(ctx.env, { kind: 'attach', host, id: created.id, start: true, interactive: args.spec.openStdin, tty: args.spec.tty, onDetach: () => (detached = true) });
    if (detached) return ctx.io.err(`berth: detached from ${created.name}; it keeps running (berth attach ${created.name})\n`), 0;
    if (args.removeAfter) await ctx.api.containers.remove.mutate({ host, id: created.id, force: true, volumes: true }).catch((err: unknown) => ctx.io.err(`berth: removing ${created.name}: ${message(err, ctx.env)}\n`));
    return code;
  }

  // attached: the container's output until it exits, then its exit code
  try {
    for await (const e of subscription<{ stream: 'stdout' | 'stderr'; text: string }>((h) => ctx.api.containers.logs.subscribe({ host, id: created.id, follow: true, timestamps: false }, h), ctx.signal)) {
      (e.stream === 'stdout' ? ctx.io.out : ctx.io.err)(e.text);
    }
  } catch (err) {
    ctx.io.err(`berth: following the output of ${created.name} failed: ${message(err, ctx.env)}\n`);
  }
  if (ctx.signal.aborted) {
    ctx.io.err(`berth: stopped following ${created.name}; it keeps running (berth stop ${created.name})\n`);
    return 130;
  }
  const exitCode = await waitFor(ctx, host, created.id);
  if (args.removeAfter) {
    // as docker run --rm does, anonymous volumes go with it
    await ctx.api.containers.remove.mutate({ host, id: created.id, force: true, volumes: true }).catch((err: unknown) => ctx.io.err(`berth: removing ${created.name}: ${message(err, ctx.env)}\n`));
  }
  return exitCode;
}

/** `docker wait`, asking again while the container keeps running past one request's time. */
async function waitFor(ctx: VerbContext, host: string, id: string): Promise<number> {
  for (;;) {
    try {
      return (await ctx.api.containers.wait.mutate({ host, id, timeoutSeconds: 240 })).exitCode;
    } catch (err) {
      if (apiCode(err) !== 'TIMEOUT' || ctx.signal.aborted) throw err;
    }
  }
}

// --- lifecycle -----------------------------------------------------------------------------------

type Action = 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause';

export async function actionCommand(ctx: VerbContext, action: Action, argv: string[]): Promise<number> {
  if (action === 'start' && argv.some((a) => a === '-a' || a === '--attach' || /^-[a-z]*a[a-z]*$/.test(a))) return attachCommand(ctx, argv, { start: true });
  const spec = {
    ...HOST_FLAG,
    ...(action === 'stop' || action === 'restart' ? { time: { type: 'string' as const, short: 't' }, timeout: { type: 'string' as const } } : {}),
    ...(action === 'kill' ? { signal: { type: 'string' as const, short: 's' } } : {}),
  };
  const f = parseFlags(action, argv, spec);
  if (!f.positionals.length) throw usage(action, `${action === 'kill' ? '[-s SIGNAL] ' : action === 'stop' || action === 'restart' ? '[-t SECONDS] ' : ''}CONTAINER [CONTAINER...]`, 'requires at least 1 argument');
  const timeout = f.has('time') ? f.int('time', { min: 0, max: 3600 }) : f.int('timeout', { min: 0, max: 3600 });
  const signal = f.str('signal')?.toUpperCase();
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (id) => {
    await ctx.api.containers.action.mutate({ host, id, action, ...(timeout !== undefined ? { timeout } : {}), ...(signal ? { signal } : {}) });
  });
}

/**
 * `docker attach CONTAINER`, and `docker start -a [-i]`: this terminal joins the container's
 * main process (its terminal when it has one); ctrl-p ctrl-q detaches and leaves it running.
 */
export async function attachCommand(ctx: VerbContext, argv: string[], o: { start?: boolean } = {}): Promise<number> {
  const verb = o.start ? 'start' : 'attach';
  const f = parseFlags(verb, argv, {
    ...HOST_FLAG,
    ...(o.start ? { attach: { type: 'boolean' as const, short: 'a' }, interactive: { type: 'boolean' as const, short: 'i' } } : { 'no-stdin': { type: 'boolean' as const } }),
  });
  if (f.positionals.length !== 1) throw usage(verb, o.start ? '-a [-i] CONTAINER' : '[--no-stdin] CONTAINER', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const id = f.positionals[0]!.replace(/^\//, '');
  const doc = (await ctx.api.containers.inspect.query({ host, id })) as { Id: string; Config?: { Tty?: boolean; OpenStdin?: boolean } };
  const tty = !!doc.Config?.Tty;
  const interactive = !!doc.Config?.OpenStdin && (o.start ? f.bool('interactive') : !f.bool('no-stdin'));
  if (tty && interactive && !process.stdin.isTTY) throw new UserError('the input device is not a TTY: use --no-stdin, or run berth from a terminal');
  const { runExecSession } = await import('../terminal/exec-session.ts');
  let detached = false;
  const code = await runExecSession(ctx.env, { kind: 'attach', host, id: doc.Id, start: !!o.start, interactive, tty: tty && interactive, onDetach: () => (detached = true) });
  if (detached) ctx.io.err(`berth: detached from ${id}; it keeps running\n`);
  return code;
}

export async function rmCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('rm', argv, { force: { type: 'boolean', short: 'f' }, volumes: { type: 'boolean', short: 'v' }, ...HOST_FLAG });
  if (!f.positionals.length) throw usage('rm', '[-f] [-v] CONTAINER [CONTAINER...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (id) => {
    await ctx.api.containers.remove.mutate({ host, id, force: f.bool('force'), volumes: f.bool('volumes') });
  });
}

export async function renameCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('rename', argv, HOST_FLAG);
  if (f.positionals.length !== 2) throw usage('rename', 'CONTAINER NEW_NAME', 'requires exactly 2 arguments');
  const host = await hostFor(ctx, f.str('host'));
  await ctx.api.containers.rename.mutate({ host, id: f.positionals[0]!, name: f.positionals[1]! });
  return 0;
}

export async function waitCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('wait', argv, HOST_FLAG);
  if (!f.positionals.length) throw usage('wait', 'CONTAINER [CONTAINER...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  return forEach(ctx, f.positionals, async (id) => `${await waitFor(ctx, host, id)}\n`);
}

// --- logs ----------------------------------------------------------------------------------------

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** --since: a Go duration before now (10m, 1h30m), an RFC 3339 time, or unix seconds. Returns unix seconds. */
export function parseSince(text: string, now = Date.now()): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) {
    let seconds = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) seconds += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    return Math.max(0, now / 1000 - seconds);
  }
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw new Error(`--since ${JSON.stringify(text)}: use a duration (10m, 1h30m), an RFC 3339 time (2026-11-30T08:00:00Z) or unix seconds`);
}

export async function logsCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('logs', argv, { follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' }, since: { type: 'string' }, timestamps: { type: 'boolean', short: 't' }, ...HOST_FLAG });
  if (f.positionals.length !== 1) throw usage('logs', '[-f] [--tail N] [--since 10m] [-t] CONTAINER', 'requires exactly 1 argument');
  const tailText = f.str('tail');
  const tail = tailText === undefined || tailText === 'all' ? undefined : f.int('tail', { min: 0 });
  const sinceText = f.str('since');
  let since: number | undefined;
  try {
    since = sinceText === undefined ? undefined : parseSince(sinceText);
  } catch (err) {
    throw new UserError(`logs: ${(err as Error).message}`);
  }
  const host = await hostFor(ctx, f.str('host'));
  const input = { host, id: f.positionals[0]!, follow: f.bool('follow'), timestamps: f.bool('timestamps'), ...(tail !== undefined ? { tail } : {}), ...(since !== undefined ? { since } : {}) };
  for await (const e of subscription<{ stream: 'stdout' | 'stderr'; text: string }>((h) => ctx.api.containers.logs.subscribe(input, h), ctx.signal)) {
    (e.stream === 'stdout' ? ctx.io.out : ctx.io.err)(e.text);
  }
  return ctx.signal.aborted ? 130 : 0;
}

// --- exec ----------------------------------------------------------------------------------------

export async function execCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('exec', argv, {
    interactive: { type: 'boolean', short: 'i' }, tty: { type: 'boolean', short: 't' }, detach: { type: 'boolean', short: 'd' },
    env: { type: 'string', short: 'e', multiple: true }, user: { type: 'string', short: 'u' }, workdir: { type: 'string', short: 'w' }, ...HOST_FLAG,
  }, { stopAtPositional: true });
  if (f.bool('detach')) throw new UserError('exec: -d is not supported yet');
  const [id, ...cmd] = f.positionals;
  if (!id || !cmd.length) throw usage('exec', '[-e NAME=VALUE] [-u USER] [-w DIR] CONTAINER COMMAND [ARG...]', 'requires at least 2 arguments');
  const env = f.list('env').flatMap((e) => {
    if (e.includes('=')) return [e];
    const v = process.env[e];
    return v === undefined ? [] : [`${e}=${v}`];
  });
  const workdir = f.str('workdir');
  const user = f.str('user');
  const host = await hostFor(ctx, f.str('host'));
  if (f.bool('interactive') || f.bool('tty')) {
    // stdin and a terminal go over the gateway's terminal websocket
    const { runExecSession } = await import('../terminal/exec-session.ts');
    return runExecSession(ctx.env, { host, id, cmd, env, ...(user ? { user } : {}), ...(workdir ? { workingDir: workdir } : {}), interactive: f.bool('interactive'), tty: f.bool('tty') });
  }
  let exitCode: number | null = null;
  const input = { host, id, cmd, env, ...(user ? { user } : {}), ...(workdir ? { workingDir: workdir } : {}) };
  type ExecEvent = { type: 'output'; stream: 'stdout' | 'stderr'; text: string } | { type: 'exit'; exitCode: number };
  for await (const e of subscription<ExecEvent>((h) => ctx.api.containers.exec.subscribe(input, h), ctx.signal)) {
    if (e.type === 'output') (e.stream === 'stdout' ? ctx.io.out : ctx.io.err)(e.text);
    else exitCode = e.exitCode;
  }
  if (ctx.signal.aborted) return 130;
  if (exitCode === null) throw new UserError('exec: the command ended without an exit code');
  return exitCode;
}

// --- inspect, stats ------------------------------------------------------------------------------

export async function inspectCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('inspect', argv, { type: { type: 'string' }, ...HOST_FLAG });
  const type = f.str('type');
  if (type !== undefined && type !== 'container' && type !== 'image') throw new UserError(`inspect: --type is container or image, not ${JSON.stringify(type)}`);
  if (!f.positionals.length) throw usage('inspect', '[--type container|image] NAME [NAME...]', 'requires at least 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const found: unknown[] = [];
  let failed = 0;
  for (const name of f.positionals) {
    try {
      if (type === 'image') found.push(await ctx.api.images.inspect.query({ host, ref: name }));
      else {
        try {
          found.push(await ctx.api.containers.inspect.query({ host, id: name }));
        } catch (err) {
          if (type === 'container' || apiCode(err) !== 'NOT_FOUND') throw err;
          try {
            found.push(await ctx.api.images.inspect.query({ host, ref: name }));
          } catch (imageErr) {
            if (apiCode(imageErr) === 'NOT_FOUND') throw new UserError(`${host}: No such object: ${name}`);
            throw imageErr;
          }
        }
      }
    } catch (err) {
      failed++;
      ctx.io.err(`berth: ${message(err, ctx.env)}\n`);
    }
  }
  ctx.io.out(`${JSON.stringify(found, null, 4)}\n`);
  return failed ? 1 : 0;
}

/** `docker inspect`'s NetworkSettings.Ports: "80/tcp" → its host bindings, null when only exposed. */
export type PortMap = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** `docker port`'s PRIVATE_PORT[/PROTO] as inspect keys it: "80" → "80/tcp". */
export function privatePortKey(text: string): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/i.exec(text.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UserError(`port: invalid port ${JSON.stringify(text)}: use PORT, PORT/tcp or PORT/udp, from 1 to 65535`);
  return `${Number(m[1])}/${(m[2] ?? 'tcp').toLowerCase()}`;
}

/**
 * `docker port` lines: every published port as `80/tcp -> 0.0.0.0:8080`, or, for one private
 * port ("80/tcp"), its host addresses alone; sorted naturally, as docker sorts them.
 */
export function portLines(ports: PortMap, container: string, privateKey?: string): string[] {
  const addr = (b: { HostIp: string; HostPort: string }) => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`;
  let out: string[];
  if (privateKey !== undefined) {
    const bindings = ports[privateKey];
    if (!bindings?.length) throw new UserError(`no public port '${privateKey}' published for ${container}`);
    out = bindings.map(addr);
  } else {
    out = Object.entries(ports).flatMap(([key, bindings]) => (bindings ?? []).map((b) => `${key} -> ${addr(b)}`));
  }
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`, from its inspect document. */
export async function portCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('port', argv, HOST_FLAG);
  if (f.positionals.length < 1 || f.positionals.length > 2) throw usage('port', 'CONTAINER [PRIVATE_PORT[/PROTO]]', 'requires 1 or 2 arguments');
  const [container, privatePort] = f.positionals as [string, string | undefined];
  const key = privatePort === undefined ? undefined : privatePortKey(privatePort);
  const host = await hostFor(ctx, f.str('host'));
  const doc = (await ctx.api.containers.inspect.query({ host, id: container })) as { NetworkSettings?: { Ports?: PortMap | null } };
  ctx.io.out(portLines(doc.NetworkSettings?.Ports ?? {}, container.replace(/^\//, ''), key).map((l) => `${l}\n`).join(''));
  return 0;
}

export interface StatsRow {
  id: string;
  name: string;
  cpuPercent: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  pids: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** `docker stats --no-stream` layout: memory in binary units, I/O in decimal ones, as docker prints them. */
export function statsTable(rows: StatsRow[]): string {
  const pct = (n: number) => `${n.toFixed(2)}%`;
  return table(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'], rows.map((s) => [
    s.id.slice(0, 12), s.name.replace(/^\//, ''), pct(s.cpuPercent), `${binarySize(s.memoryUsageBytes)} / ${binarySize(s.memoryLimitBytes)}`,
    pct(s.memoryLimitBytes ? (100 * s.memoryUsageBytes) / s.memoryLimitBytes : 0),
    `${humanSize(s.netRxBytes)} / ${humanSize(s.netTxBytes)}`, `${humanSize(s.blockReadBytes)} / ${humanSize(s.blockWriteBytes)}`, String(s.pids),
  ]));
}

export async function statsCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f: Flags = parseFlags('stats', argv, { 'no-stream': { type: 'boolean' }, all: { type: 'boolean', short: 'a' }, ...HOST_FLAG });
  const host = await hostFor(ctx, f.str('host'));
  const sample = async () => {
    const listed = (await ctx.api.containers.list.query({ host, all: f.bool('all') || f.positionals.length > 0 })).containers;
    // a container named on the command line shows with its id and name, as docker shows it
    const targets = f.positionals.length
      ? f.positionals.map((p) => listed.find((c) => c.name.replace(/^\//, '') === p.replace(/^\//, '') || c.id === p) ?? listed.find((c) => c.id.startsWith(p)) ?? { id: p, name: p })
      : listed.map((c) => ({ id: c.id, name: c.name }));
    const rows: StatsRow[] = [];
    let failed = 0;
    for (const t of targets) {
      try {
        const s = await ctx.api.containers.stats.query({ host, id: t.id });
        rows.push({ ...s, id: t.id, name: t.name });
      } catch (err) {
        failed++;
        ctx.io.err(`berth: ${message(err, ctx.env)}\n`);
      }
    }
    return { text: statsTable(rows), failed };
  };
  if (f.bool('no-stream')) {
    const r = await sample();
    ctx.io.out(r.text);
    return r.failed ? 1 : 0;
  }
  while (!ctx.signal.aborted) {
    const r = await sample();
    ctx.io.out(`${ctx.io.isTTY ? '\x1b[2J\x1b[H' : ''}${r.text}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      ctx.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
  return 0;
}

// --- top, diff, commit ---------------------------------------------------------------------------

export async function topCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('top', argv, HOST_FLAG);
  if (f.positionals.length !== 1) throw usage('top', 'CONTAINER', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const r = await ctx.api.containers.top.query({ host, id: f.positionals[0]! });
  ctx.io.out(table(r.titles, r.processes));
  return 0;
}

export async function diffCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('diff', argv, HOST_FLAG);
  if (f.positionals.length !== 1) throw usage('diff', 'CONTAINER', 'requires exactly 1 argument');
  const host = await hostFor(ctx, f.str('host'));
  const changes = await ctx.api.containers.diff.query({ host, id: f.positionals[0]! });
  ctx.io.out(changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
  return 0;
}

export async function commitCommand(ctx: VerbContext, argv: string[]): Promise<number> {
  const f = parseFlags('commit', argv, { author: { type: 'string', short: 'a' }, message: { type: 'string', short: 'm' }, pause: { type: 'boolean', short: 'p' }, ...HOST_FLAG });
  if (f.positionals.length < 1 || f.positionals.length > 2) throw usage('commit', '[-a AUTHOR] [-m MESSAGE] [--pause=false] CONTAINER [REPOSITORY[:TAG]]', 'requires 1 or 2 arguments');
  const host = await hostFor(ctx, f.str('host'));
  const [id, ref] = f.positionals as [string, string | undefined];
  const author = f.str('author');
  const msg = f.str('message');
  const r = await ctx.api.containers.commit.mutate({ host, id, ...(ref ? { ref } : {}), ...(author ? { author } : {}), ...(msg ? { message: msg } : {}), pause: f.has('pause') ? f.bool('pause') : true });
  ctx.io.out(`${r.id}\n`);
  return 0;
}
