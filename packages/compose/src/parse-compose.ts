// compose file → StackSpec. Pure: files and variables come in through the options, so the CLI
// (which reads them from disk and its environment) and the server (which gets them with an
// upload) share the same import.
import { SERVICE_NAME, StackSpec } from '@berth/protocol';
import type { z } from 'zod';
import { asMap, child, ComposeError, type ComposeIssue, Ctx, type IgnoredKey, isNull, readKeys } from './context.ts';
import { interpolate, InterpolationError, type Lookup } from './interpolate.ts';
import { TOP_LEVEL } from './keys.ts';
import { DEFAULT_NETWORK, readService, type ReadService } from './service.ts';
import type { StackObjects } from './service-context.ts';
import { type FileReader, readFiles, readNetworks, readVolumes } from './top-level.ts';
import { loadTree, type Entry, type Val } from './tree.ts';

export interface ParseComposeOptions {
  /** the stack's name (what `berth stack deploy -c FILE NAME` was given); the file's `name:` is not used */
  stackName: string;
  /** shown in messages; default docker-compose.yml */
  fileName?: string;
  /**
   * The content of a file the compose file names (env_file, secrets.*.file, configs.*.file), by
   * its path as written there; undefined when there is no such file.
   */
  readFile?: FileReader;
  /** variables for interpolation, `environment: [KEY]` and `secrets.*.environment` */
  env?: Record<string, string | undefined>;
  /** the compose file's directory (absolute), against which relative bind paths resolve */
  workingDir?: string;
}

export interface ParsedCompose {
  stack: StackSpec;
  /** keys berth does not carry out, and warnings (unset variables), each with why */
  ignored: IgnoredKey[];
}

/** Parses a compose file into a stack; throws ComposeError naming each problem's line and key. */
export function parseCompose(text: string, options: ParseComposeOptions): ParsedCompose {
  const fileName = options.fileName ?? 'docker-compose.yml';
  const ctx = new Ctx();
  const env: Lookup = (name) => options.env?.[name];
  const fail = (): never => {
    throw new ComposeError(fileName, sortIssues(ctx.errors));
  };
  if (!SERVICE_NAME.test(options.stackName)) {
    ctx.fail(undefined, '', `${JSON.stringify(options.stackName)} is not a valid stack name: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters`);
    fail();
  }
  const loaded = loadTree(text);
  for (const p of loaded.problems) ctx.fail(p.pos, '', p.message);
  if (!loaded.tree) return fail();

  const tree = interpolateTree(ctx, loaded.tree, '', env);
  const root = tree.kind === 'map' ? tree : ctx.fail(tree, '', 'a compose file is a mapping with services: at the top');
  if (!root) return fail();
  const keys = readKeys(ctx, root, '', TOP_LEVEL, 'a compose file');
  const version = keys.get('version');
  if (version) ctx.ignore(version, 'version', 'the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion');
  const name = keys.get('name');
  if (name) ctx.ignore(name, 'name', `the stack is named ${options.stackName}, the name given to deploy`);

  const objects: StackObjects = {
    stackName: options.stackName,
    networks: keys.has('networks') ? readNetworks(ctx, (keys.get('networks') as Entry).value, 'networks') : new Map(),
    volumes: keys.has('volumes') ? readVolumes(ctx, (keys.get('volumes') as Entry).value, 'volumes', options.stackName) : new Map(),
    secrets: keys.has('secrets') ? readFiles(ctx, (keys.get('secrets') as Entry).value, 'secrets', 'secret', { env, readFile: options.readFile }) : new Map(),
    configs: keys.has('configs') ? readFiles(ctx, (keys.get('configs') as Entry).value, 'configs', 'config', { env, readFile: options.readFile }) : new Map(),
  };

  const servicesEntry = keys.get('services');
  const serviceMap = servicesEntry && !isNull(servicesEntry.value) ? asMap(ctx, servicesEntry.value, 'services') : undefined;
  const services: ReadService[] = [];
  const serviceAt = new Map<string, Entry>();
  for (const e of serviceMap?.entries ?? []) {
    if (e.key.startsWith('x-')) continue;
    const path = child('services', e.key);
    if (!SERVICE_NAME.test(e.key)) {
      ctx.fail(e, path, `${JSON.stringify(e.key)} is not a valid service name: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters`);
      continue;
    }
    serviceAt.set(e.key, e);
    const s = readService(ctx, e, path, objects, { env, readFile: options.readFile, workingDir: options.workingDir });
    if (s) services.push(s);
  }
  if (serviceAt.size === 0 && ctx.errors.length === 0) ctx.fail(servicesEntry ?? root, 'services', 'the file declares no services');

  checkDependencies(ctx, services, serviceAt);

  // services without networks join `default`, which the stack then declares (as compose does)
  const networks = [...objects.networks.values()].map((n) => n.spec);
  if (services.some((s) => s.usesDefaultNetwork) && !objects.networks.has(DEFAULT_NETWORK)) networks.unshift({ name: DEFAULT_NETWORK });
  checkUnique(ctx, networks.map((n) => n.name), 'networks');

  const candidate: z.input<typeof StackSpec> = {
    name: options.stackName,
    services: services.map((s) => s.spec),
    networks,
    volumes: [...objects.volumes.values()].map((v) => v.spec),
    secrets: [...objects.secrets.values()].map((v) => v.spec),
    configs: [...objects.configs.values()].map((v) => v.spec),
  };
  if (ctx.errors.length > 0) fail();
  const parsed = StackSpec.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) placeIssue(ctx, issue, services, serviceAt);
    fail();
  }
  return { stack: (parsed as { data: StackSpec }).data, ignored: ctx.ignored };
}

/**
 * Interpolates every string value (keys stay as written). Under an x-* key the values are
 * interpolated quietly: an extension field (x-notes) is ignored by berth, so its variables need
 * not be set, while an x- key in a free-form map (a label, a variable) still gets its value.
 */
export function interpolateTree(ctx: Ctx, v: Val, path: string, env: Lookup, warned = new Set<string>(), quiet = false): Val {
  if (v.kind === 'map') {
    return { ...v, entries: v.entries.map((e) => ({ ...e, value: interpolateTree(ctx, e.value, child(path, e.key), env, warned, quiet || e.key.startsWith('x-')) })) };
  }
  if (v.kind === 'seq') return { ...v, items: v.items.map((item, i) => interpolateTree(ctx, item, child(path, i), env, warned, quiet)) };
  if (typeof v.value !== 'string' || !v.value.includes('$')) return v;
  try {
    const r = interpolate(v.value, env);
    for (const name of quiet ? [] : r.unset) {
      if (warned.has(name)) continue;
      warned.add(name);
      ctx.ignore(v, path, `The "${name}" variable is not set. Defaulting to a blank string.`);
    }
    return { ...v, value: r.value, source: r.value };
  } catch (err) {
    if (!(err instanceof InterpolationError)) throw err;
    if (!quiet) ctx.fail(v, path, err.message);
    return v;
  }
}

function checkDependencies(ctx: Ctx, services: ReadService[], serviceAt: Map<string, Entry>): void {
  const byName = new Map(services.map((s) => [s.spec.name, s]));
  for (const s of services) {
    for (const d of s.dependsOn) {
      if (d.service === s.spec.name) ctx.fail(d.at, d.path, `service ${JSON.stringify(s.spec.name)} depends on itself`);
      else if (!serviceAt.has(d.service)) ctx.fail(d.at, d.path, `service ${JSON.stringify(s.spec.name)} depends on undefined service ${JSON.stringify(d.service)}`);
    }
  }
  // a cycle can never start: name it, from the first service (in file order) that is on one
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string): void => {
    const s = byName.get(name);
    if (!s || state.get(name) === 'done') return;
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of s.dependsOn) {
      if (d.service === name) continue;
      if (state.get(d.service) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(d.service)), d.service];
        const key = [...cycle].slice(0, -1).sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          ctx.fail(d.at, d.path, `dependency cycle: ${cycle.join(' → ')}; remove one of these depends_on`);
        }
      } else visit(d.service);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of services) visit(s.spec.name);
}

function checkUnique(ctx: Ctx, names: string[], what: string): void {
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) ctx.fail(undefined, what, `two ${what} are named ${JSON.stringify(dup)} (an external one keeps its own name): rename one`);
}

/** A late (schema) error, placed at the compose key that produced the field when it is known. */
function placeIssue(ctx: Ctx, issue: z.core.$ZodIssue, services: ReadService[], serviceAt: Map<string, Entry>): void {
  const path = issue.path.map(String);
  if (path[0] === 'services' && path[1] !== undefined) {
    const s = services[Number(path[1])];
    if (s) {
      const field = path.slice(2);
      const origin = s.origins.find(field);
      ctx.fail(origin?.at ?? serviceAt.get(s.spec.name), origin?.path ?? child('services', s.spec.name), `${field.join('.')}: ${issue.message}`);
      return;
    }
  }
  ctx.fail(undefined, path.join('.'), issue.message);
}

function sortIssues(issues: ComposeIssue[]): ComposeIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
