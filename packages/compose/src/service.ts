// One entry of `services:` as a ServiceSpec: the container template of its replicas plus the
// deploy settings (mode, placement, resources, update). Each value is checked where it is read,
// so an error names the compose key that was wrong rather than a field of the spec.
import { parseExposed, parseExtraHost, parsePublish, type ContainerTemplate, type ServiceSpec } from '@berth/protocol';
import type { z } from 'zod';
import { asBool, asListOrDict, asMap, asNumber, asSeq, asString, asStrings, child, type Ctx, isNull, readKeys } from './context.ts';
import { EnvFileError, parseEnvFile } from './env-file.ts';
import type { Lookup } from './interpolate.ts';
import * as K from './keys.ts';
import { resolvePath } from './paths.ts';
import { ShellWordsError, splitShellWords } from './shell-words.ts';
import type { FileDecl, FileReader, NetworkDecl, VolumeDecl } from './top-level.ts';
import type { Entry, Val } from './tree.ts';
import { parseBytes, parseDurationMs } from './units.ts';

type ServiceSpecInput = z.input<typeof ServiceSpec>;
type TemplateInput = z.input<typeof ContainerTemplate>;
type HealthcheckInput = NonNullable<TemplateInput['healthcheck']>;

export interface StackObjects {
  stackName: string;
  networks: Map<string, NetworkDecl>;
  volumes: Map<string, VolumeDecl>;
  secrets: Map<string, FileDecl>;
  configs: Map<string, FileDecl>;
}

export interface ServiceInputs {
  env: Lookup;
  readFile?: FileReader;
  workingDir?: string;
}

export interface ReadService {
  spec: ServiceSpecInput;
  origins: Origins;
  usesDefaultNetwork: boolean;
  dependsOn: { service: string; at: Val | Entry; path: string }[];
}

export const DEFAULT_NETWORK = 'default';

/** Where each field of the spec came from (`container.dns` → services.web.dns), to place late errors. */
export class Origins {
  private readonly map = new Map<string, { at: Val | Entry; path: string }>();
  set(field: string, at: Val | Entry, path: string): void {
    this.map.set(field, { at, path });
  }
  /** the origin of `field` or of its nearest parent field */
  find(field: string[]): { at: Val | Entry; path: string } | undefined {
    for (let n = field.length; n > 0; n--) {
      const o = this.map.get(field.slice(0, n).join('.'));
      if (o) return o;
    }
    return undefined;
  }
}

export function readService(ctx: Ctx, entry: Entry, path: string, objects: StackObjects, inputs: ServiceInputs): ReadService | undefined {
  const m = asMap(ctx, entry.value, path);
  if (!m) return undefined;
  const keys = readKeys(ctx, m, path, K.SERVICE, 'a service');
  const origins = new Origins();
  const c: TemplateInput = {};
  const spec: ServiceSpecInput = { name: entry.key, image: '', container: c };
  const out: ReadService = { spec, origins, usesDefaultNetwork: false, dependsOn: [] };
  const at = (k: string) => keys.get(k) as Entry;
  const p = (k: string) => child(path, k);
  const has = (k: string) => keys.has(k) && !isNull(at(k).value);

  // image (required: berth deploys images, it does not build them)
  if (has('image')) {
    const image = asString(ctx, at('image').value, p('image'));
    if (image !== undefined && image.trim() === '') ctx.fail(at('image').value, p('image'), 'the image name is empty');
    else if (image !== undefined) spec.image = image;
    origins.set('image', at('image'), p('image'));
    if (keys.has('build')) ctx.ignore(at('build'), p('build'), `berth does not build images: ${image ?? 'the image'} is pulled by each host`);
  } else if (keys.has('build')) {
    ctx.fail(at('build'), p('build'), 'berth does not build images: build the image, push it to a registry, and name it in image:');
  } else {
    ctx.fail(entry, path, 'the service has no image: add image: NAME[:TAG]');
  }

  for (const k of ['command', 'entrypoint'] as const) {
    if (!has(k)) continue;
    const words = commandWords(ctx, at(k).value, p(k));
    if (words) {
      c[k === 'command' ? 'cmd' : 'entrypoint'] = words;
      origins.set(`container.${k === 'command' ? 'cmd' : 'entrypoint'}`, at(k), p(k));
    }
  }

  const env = readEnvironment(ctx, keys, path, inputs);
  if (env.length > 0) {
    c.env = env;
    {
      const k = keys.has('environment') ? 'environment' : 'env_file';
      origins.set('container.env', at(k), p(k));
    }
  }

  if (has('labels')) {
    c.labels = {};
    for (const l of asListOrDict(ctx, at('labels').value, p('labels')) ?? []) c.labels[l.key] = l.value ?? '';
    origins.set('container.labels', at('labels'), p('labels'));
  }

  if (has('ports')) {
    c.publish = readPorts(ctx, at('ports').value, p('ports'));
    origins.set('container.publish', at('ports'), p('ports'));
  }
  if (has('expose')) {
    c.expose = [];
    asSeq(ctx, at('expose').value, p('expose'))?.items.forEach((item, i) => {
      const s = asString(ctx, item, child(p('expose'), i));
      if (s === undefined) return;
      try {
        parseExposed(s);
        c.expose?.push(s);
      } catch (err) {
        ctx.fail(item, child(p('expose'), i), `${JSON.stringify(s)} is not a port to expose (PORT[-END][/PROTOCOL]): ${(err as Error).message}`);
      }
    });
  }

  // one mount per path in the container, as the engine requires
  const mounted = new Set<string>();
  const claim = (target: string, where: Val | Entry, wherePath: string): boolean => {
    const t = target.length > 1 ? target.replace(/\/+$/, '') : target;
    if (!mounted.has(t)) return mounted.add(t), true;
    ctx.fail(where, wherePath, `${t} is already mounted by another entry: one mount per path in the container`);
    return false;
  };
  if (has('volumes')) {
    const binds: string[] = [];
    const tmpfs: Record<string, string> = {};
    asSeq(ctx, at('volumes').value, p('volumes'))?.items.forEach((item, i) => readMount(ctx, item, child(p('volumes'), i), objects, inputs, { binds, tmpfs, claim }));
    c.binds = binds;
    c.tmpfs = tmpfs;
    origins.set('container.binds', at('volumes'), p('volumes'));
  }
  if (has('tmpfs')) {
    c.tmpfs ??= {};
    for (const t of asStrings(ctx, at('tmpfs').value, p('tmpfs'), { single: true }) ?? []) {
      const colon = t.indexOf(':');
      const target = colon < 0 ? t : t.slice(0, colon);
      if (!target.startsWith('/')) ctx.fail(at('tmpfs').value, p('tmpfs'), `${JSON.stringify(t)}: the tmpfs path must be absolute (/run or /run:size=64m)`);
      else if (claim(target, at('tmpfs').value, p('tmpfs'))) c.tmpfs[target] = colon < 0 ? '' : t.slice(colon + 1);
    }
    origins.set('container.tmpfs', at('tmpfs'), p('tmpfs'));
  }

  out.usesDefaultNetwork = readServiceNetworks(ctx, keys, path, objects, spec, origins);

  if (has('depends_on')) out.dependsOn = readDependsOn(ctx, at('depends_on').value, p('depends_on'), spec);

  if (has('healthcheck')) {
    const hc = readHealthcheck(ctx, at('healthcheck').value, p('healthcheck'));
    if (hc) c.healthcheck = hc;
    origins.set('container.healthcheck', at('healthcheck'), p('healthcheck'));
  }

  if (has('restart')) {
    const r = asString(ctx, at('restart').value, p('restart'));
    const m2 = r === undefined ? null : /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(r);
    if (r !== undefined && (!m2 || (m2[2] !== undefined && m2[1] !== 'on-failure'))) {
      ctx.fail(at('restart').value, p('restart'), `${JSON.stringify(r)} is not a restart policy: use no, always, on-failure[:MAX_RETRIES] or unless-stopped`);
    } else if (m2) {
      c.restartPolicy = { name: m2[1] as 'no', maximumRetryCount: m2[2] === undefined ? 0 : Number(m2[2]) };
    }
  }

  for (const [k, field] of [['user', 'user'], ['working_dir', 'workingDir'], ['hostname', 'hostname']] as const) {
    if (!has(k)) continue;
    const s = asString(ctx, at(k).value, p(k));
    if (s !== undefined) c[field] = s;
    origins.set(`container.${field}`, at(k), p(k));
  }
  if (c.workingDir !== undefined && !c.workingDir.startsWith('/')) ctx.fail(at('working_dir').value, p('working_dir'), `${JSON.stringify(c.workingDir)}: the working directory must be an absolute path`);

  for (const [k, field] of [['tty', 'tty'], ['stdin_open', 'openStdin'], ['read_only', 'readonlyRootfs'], ['privileged', 'privileged']] as const) {
    if (!has(k)) continue;
    const b = asBool(ctx, at(k).value, p(k));
    if (b !== undefined) c[field] = b;
  }
  for (const [k, field, single] of [['cap_add', 'capAdd', false], ['cap_drop', 'capDrop', false], ['dns', 'dns', true], ['dns_search', 'dnsSearch', true], ['dns_opt', 'dnsOption', false]] as const) {
    if (!has(k)) continue;
    const list = asStrings(ctx, at(k).value, p(k), { single });
    if (list) c[field] = list;
    origins.set(`container.${field}`, at(k), p(k));
  }
  if (has('extra_hosts')) {
    c.addHost = readExtraHosts(ctx, at('extra_hosts').value, p('extra_hosts'));
    origins.set('container.addHost', at('extra_hosts'), p('extra_hosts'));
  }

  if (has('mem_limit')) setBytes(ctx, at('mem_limit'), p('mem_limit'), (n) => (n > 0 ? (c.memory = n) : undefined));
  if (has('memswap_limit')) setBytes(ctx, at('memswap_limit'), p('memswap_limit'), (n) => (c.memorySwap = n), true);
  if (has('cpus')) {
    const n = asNumber(ctx, at('cpus').value, p('cpus'), { min: 0 });
    if (n !== undefined && n > 0) c.cpus = n;
  }
  if (has('cpu_shares')) {
    const n = asNumber(ctx, at('cpu_shares').value, p('cpu_shares'), { integer: true, min: 2 });
    if (n !== undefined) c.cpuShares = n;
  }
  if (has('pids_limit')) {
    const n = asNumber(ctx, at('pids_limit').value, p('pids_limit'), { integer: true, min: -1 });
    if (n !== undefined && n !== 0) c.pidsLimit = n;
  }

  for (const k of ['secrets', 'configs'] as const) {
    if (!has(k)) continue;
    spec[k] = readFileReferences(ctx, at(k).value, p(k), k, k === 'secrets' ? objects.secrets : objects.configs);
    origins.set(k, at(k), p(k));
  }

  if (has('scale')) {
    const n = asNumber(ctx, at('scale').value, p('scale'), { integer: true, min: 0 });
    if (n !== undefined) spec.mode = { mode: 'replicated', replicas: n };
    origins.set('mode', at('scale'), p('scale'));
  }
  if (has('deploy')) readDeploy(ctx, at('deploy'), p('deploy'), spec, keys, path, origins);

  return out;
}

function commandWords(ctx: Ctx, v: Val, path: string): string[] | undefined {
  if (v.kind === 'scalar' && typeof v.value === 'string') {
    try {
      return splitShellWords(v.value);
    } catch (err) {
      if (err instanceof ShellWordsError) return ctx.fail(v, path, `${err.message}: close the quote, or write the command as a list`);
      throw err;
    }
  }
  return asStrings(ctx, v, path);
}

/** env_file first (in order, later files win), then environment over them, as compose merges them. */
function readEnvironment(ctx: Ctx, keys: Map<string, Entry>, path: string, inputs: ServiceInputs): string[] {
  const vars = new Map<string, string>();
  const envFile = keys.get('env_file');
  if (envFile && !isNull(envFile.value)) {
    for (const f of envFileList(ctx, envFile.value, child(path, 'env_file'))) {
      const content = inputs.readFile?.(f.path);
      if (content === undefined) {
        if (f.required) ctx.fail(f.at, f.where, `the env file ${JSON.stringify(f.path)} was not found (a relative path is relative to the compose file’s directory)`);
        else ctx.ignore(f.at, f.where, `the optional env file ${JSON.stringify(f.path)} was not found`);
        continue;
      }
      const text = typeof content === 'string' ? content : new TextDecoder().decode(content);
      try {
        for (const [k, v] of parseEnvFile(text, inputs.env)) vars.set(k, v);
      } catch (err) {
        if (err instanceof EnvFileError) ctx.fail(f.at, f.where, `${f.path} line ${err.line}: ${err.message}`);
        else throw err;
      }
    }
  }
  const environment = keys.get('environment');
  if (environment && !isNull(environment.value)) {
    for (const e of asListOrDict(ctx, environment.value, child(path, 'environment')) ?? []) {
      if (e.key === '' || /[=\s]/.test(e.key)) {
        ctx.fail(e.at, e.path, `${JSON.stringify(e.key)} is not a variable name`);
        continue;
      }
      if (e.value !== null) {
        vars.set(e.key, e.value);
        continue;
      }
      const v = inputs.env(e.key);
      if (v !== undefined) vars.set(e.key, v);
      else ctx.ignore(e.at, e.path, `${e.key} has no value here and is not set in the environment: it is left unset`);
    }
  }
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/** Paths read by env_file, with whether each must exist. Shared with referencedFiles. */
export function envFileList(ctx: Ctx, v: Val, path: string): { path: string; required: boolean; at: Val | Entry; where: string }[] {
  const out: { path: string; required: boolean; at: Val | Entry; where: string }[] = [];
  if (v.kind === 'scalar') {
    const s = asString(ctx, v, path);
    if (s !== undefined) out.push({ path: s, required: true, at: v, where: path });
    return out;
  }
  asSeq(ctx, v, path)?.items.forEach((item, i) => {
    const where = child(path, i);
    if (item.kind !== 'map') {
      const s = asString(ctx, item, where);
      if (s !== undefined) out.push({ path: s, required: true, at: item, where });
      return;
    }
    const keys = readKeys(ctx, item, where, K.ENV_FILE, 'an env_file entry');
    const pathEntry = keys.get('path');
    if (!pathEntry) {
      ctx.fail(item, where, 'an env_file entry needs a path');
      return;
    }
    const s = asString(ctx, pathEntry.value, child(where, 'path'));
    const req = keys.get('required');
    const required = req ? asBool(ctx, req.value, child(where, 'required')) ?? true : true;
    if (s !== undefined) out.push({ path: s, required, at: pathEntry.value, where: child(where, 'path') });
  });
  return out;
}

const PORT_SYNTAX = '[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]';

function readPorts(ctx: Ctx, v: Val, path: string): string[] {
  const out: string[] = [];
  asSeq(ctx, v, path)?.items.forEach((item, i) => {
    const p = child(path, i);
    let spec: string | undefined;
    if (item.kind === 'map') spec = longPort(ctx, item, p);
    else spec = asString(ctx, item, p);
    if (spec === undefined) return;
    try {
      parsePublish(spec);
      out.push(spec);
    } catch (err) {
      ctx.fail(item, p, `${JSON.stringify(spec)} is not a port mapping (${PORT_SYNTAX}): ${(err as Error).message}`);
    }
  });
  return out;
}

/** The long syntax (target, published, host_ip, protocol, mode) as the short one parsePublish reads. */
function longPort(ctx: Ctx, m: Val & { kind: 'map' }, path: string): string | undefined {
  const keys = readKeys(ctx, m, path, K.PORT, 'a port');
  const target = keys.get('target');
  if (!target) return ctx.fail(m, path, 'a port needs a target (the container port)');
  const get = (k: string) => {
    const e = keys.get(k);
    return e && !isNull(e.value) ? asString(ctx, e.value, child(path, k)) : undefined;
  };
  const t = get('target');
  const published = get('published');
  const hostIp = get('host_ip');
  const protocol = get('protocol');
  const mode = get('mode');
  if (mode !== undefined && mode !== 'host' && mode !== 'ingress') ctx.fail(keys.get('mode'), child(path, 'mode'), `${JSON.stringify(mode)} is not a port mode: use host or ingress`);
  if (mode === 'ingress') ctx.ignore(keys.get('mode'), child(path, 'mode'), 'berth has no routing mesh: the port is published on each host that runs a replica (as mode: host)');
  if (t === undefined) return undefined;
  const host = hostIp ? `${hostIp}:${published ?? ''}:` : published ? `${published}:` : '';
  return `${host}${t}${protocol ? `/${protocol}` : ''}`;
}

const MOUNT_MODES_IGNORED = new Set(['z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'cached', 'delegated', 'consistent']);

interface MountSink {
  binds: string[];
  tmpfs: Record<string, string>;
  /** false (and an error recorded) when the target is mounted already */
  claim: (target: string, at: Val | Entry, path: string) => boolean;
}

function readMount(ctx: Ctx, item: Val, path: string, objects: StackObjects, inputs: ServiceInputs, sink: MountSink): void {
  const { binds, tmpfs } = sink;
  let tmpfsOptions: string | undefined;
  let type: string;
  let source: string | undefined;
  let target: string | undefined;
  let readonly = false;
  if (item.kind === 'map') {
    const keys = readKeys(ctx, item, path, K.VOLUME_MOUNT, 'a volume mount');
    const str = (k: string) => {
      const e = keys.get(k);
      return e && !isNull(e.value) ? asString(ctx, e.value, child(path, k)) : undefined;
    };
    type = str('type') ?? '';
    if (!keys.has('type')) return void ctx.fail(item, path, 'a volume mount needs a type: volume, bind or tmpfs');
    if (!['bind', 'volume', 'tmpfs'].includes(type)) return void ctx.fail(keys.get('type'), child(path, 'type'), `the mount type ${JSON.stringify(type)} is not supported: use volume, bind or tmpfs`);
    source = str('source');
    target = str('target');
    const ro = keys.get('read_only');
    if (ro) readonly = asBool(ctx, ro.value, child(path, 'read_only')) ?? false;
    for (const [k, table] of [['bind', K.BIND_OPTIONS], ['volume', K.VOLUME_OPTIONS], ['tmpfs', K.TMPFS_OPTIONS]] as const) {
      const e = keys.get(k);
      if (!e) continue;
      if (k !== type) {
        ctx.fail(e, child(path, k), `${k} options do not apply to a mount of type ${type}`);
        continue;
      }
      const om = asMap(ctx, e.value, child(path, k));
      if (!om) continue;
      const ok = readKeys(ctx, om, child(path, k), table, `${k} options`);
      if (k === 'tmpfs' && target !== undefined) {
        const opts: string[] = [];
        const size = ok.get('size');
        if (size) {
          const n = size.value.kind === 'scalar' && typeof size.value.value === 'number' ? size.value.value : parseBytes(asString(ctx, size.value, child(child(path, 'tmpfs'), 'size')) ?? '');
          if (n === undefined) ctx.fail(size.value, child(child(path, 'tmpfs'), 'size'), 'must be a size such as 64m or a number of bytes');
          else opts.push(`size=${n}`);
        }
        const mode = ok.get('mode');
        if (mode) {
          const n = octal(ctx, mode.value, child(child(path, 'tmpfs'), 'mode'), 0o7777);
          if (n !== undefined) opts.push(`mode=${n.toString(8).padStart(4, '0')}`);
        }
        tmpfsOptions = opts.join(',');
      }
    }
    if (target === undefined) return void ctx.fail(item, path, 'a volume mount needs a target (the path in the container)');
  } else {
    const s = asString(ctx, item, path);
    if (s === undefined) return;
    const parts = s.split(':');
    if (parts.length > 3 || parts.some((x) => x === '')) return void ctx.fail(item, path, `${JSON.stringify(s)} is not a volume (SOURCE:TARGET[:MODE], or TARGET for an anonymous volume)`);
    if (parts.length === 1) {
      type = 'volume';
      target = parts[0];
    } else {
      source = parts[0] as string;
      target = parts[1];
      type = /^[./~]/.test(source) ? 'bind' : 'volume';
      for (const mode of (parts[2] ?? '').split(',').filter(Boolean)) {
        if (mode === 'ro') readonly = true;
        else if (mode === 'rw') readonly = false;
        else if (MOUNT_MODES_IGNORED.has(mode)) ctx.ignore(item, path, `the mount option ${mode} is not supported by berth`);
        else return void ctx.fail(item, path, `${JSON.stringify(mode)} in ${JSON.stringify(s)} is not a mount mode: use ro or rw`);
      }
    }
  }
  if (target === undefined) return;
  if (!target.startsWith('/')) return void ctx.fail(item, path, `the target ${JSON.stringify(target)} must be an absolute path in the container`);
  if (!sink.claim(target, item, path)) return;
  const mode = readonly ? ':ro' : '';
  if (type === 'tmpfs') {
    tmpfs[target] = tmpfsOptions ?? '';
    return;
  }
  if (type === 'volume') {
    if (source === undefined || source === '') {
      binds.push(`${target}${mode}`); // anonymous: one per replica
      return;
    }
    const decl = objects.volumes.get(source);
    if (!decl) return void ctx.fail(item, path, `named volume ${JSON.stringify(source)} is not declared in the top-level volumes: declare it there (a host path starts with / or .)`);
    binds.push(`${decl.source}:${target}${mode}`);
    return;
  }
  if (source === undefined) return void ctx.fail(item, path, 'a bind mount needs a source (a path on the host)');
  const resolved = resolvePath(source, inputs.workingDir, inputs.env('HOME'));
  if ('error' in resolved) return void ctx.fail(item, path, resolved.error);
  if (resolved.path.includes(':')) return void ctx.fail(item, path, `the host path ${JSON.stringify(resolved.path)} contains ":", which berth cannot bind`);
  binds.push(`${resolved.path}:${target}${mode}`);
}

/**
 * File modes as compose writes them: 0440 (octal as written, as compose's YAML reads it), "0440",
 * 0o440, or a plain number. `max`: 0o7777 where the sticky bit makes sense (tmpfs).
 */
function octal(ctx: Ctx, v: Val, path: string, max = 0o777): number | undefined {
  let n: number | undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number') n = /^0[0-7]+$/.test(v.source) ? parseInt(v.source, 8) : v.value;
  else if (v.kind === 'scalar' && typeof v.value === 'string' && /^(0|0o)?[0-7]{1,4}$/.test(v.value.trim())) n = parseInt(v.value.trim().replace(/^0o/, ''), 8);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) return ctx.fail(v, path, `must be a file mode such as ${max > 0o777 ? '1777' : '0440'}`);
  return n;
}

function readServiceNetworks(ctx: Ctx, keys: Map<string, Entry>, path: string, objects: StackObjects, spec: ServiceSpecInput, origins: Origins): boolean {
  const e = keys.get('networks');
  const p = child(path, 'networks');
  const names: { name: string; at: Val | Entry; path: string }[] = [];
  if (e && !isNull(e.value)) {
    origins.set('networks', e, p);
    if (e.value.kind === 'map') {
      for (const n of e.value.entries) {
        names.push({ name: n.key, at: n, path: child(p, n.key) });
        if (isNull(n.value)) continue;
        const nm = asMap(ctx, n.value, child(p, n.key));
        if (nm) readKeys(ctx, nm, child(p, n.key), K.SERVICE_NETWORK, 'a service network');
      }
    } else {
      asSeq(ctx, e.value, p)?.items.forEach((item, i) => {
        const s = asString(ctx, item, child(p, i));
        if (s !== undefined) names.push({ name: s, at: item, path: child(p, i) });
      });
    }
  }
  if (names.length === 0) {
    // the default network may be declared, e.g. as an external one: `default: {external: true, name: proxy}`
    const declared = objects.networks.get(DEFAULT_NETWORK);
    spec.networks = [declared?.ref ?? DEFAULT_NETWORK];
    return !declared;
  }
  spec.networks = [];
  let usesDefault = false;
  for (const n of names) {
    const decl = objects.networks.get(n.name);
    if (decl) spec.networks.push(decl.ref);
    else if (n.name === DEFAULT_NETWORK) {
      spec.networks.push(DEFAULT_NETWORK);
      usesDefault = true;
    } else ctx.fail(n.at, n.path, `service ${JSON.stringify(spec.name)} refers to undefined network ${n.name}: declare it in the top-level networks`);
  }
  return usesDefault;
}

function readDependsOn(ctx: Ctx, v: Val, path: string, spec: ServiceSpecInput): ReadService['dependsOn'] {
  const refs: ReadService['dependsOn'] = [];
  spec.dependsOn = [];
  if (v.kind === 'map') {
    for (const e of v.entries) {
      const p = child(path, e.key);
      let condition: 'service_started' | 'service_healthy' = 'service_started';
      if (!isNull(e.value)) {
        const m = asMap(ctx, e.value, p);
        const keys = m ? readKeys(ctx, m, p, K.DEPENDS_ON, 'a dependency') : new Map<string, Entry>();
        const c = keys.get('condition');
        const text = c ? asString(ctx, c.value, child(p, 'condition')) : undefined;
        if (text === 'service_completed_successfully') {
          ctx.ignore(c, child(p, 'condition'), 'berth runs long-lived services, not one-off jobs: this dependency is dropped');
          continue;
        }
        if (text !== undefined && text !== 'service_started' && text !== 'service_healthy') {
          ctx.fail(c?.value, child(p, 'condition'), `${JSON.stringify(text)} is not a condition: use service_started or service_healthy`);
          continue;
        }
        if (text) condition = text;
      }
      spec.dependsOn.push({ service: e.key, condition });
      refs.push({ service: e.key, at: e, path: p });
    }
    return refs;
  }
  asSeq(ctx, v, path)?.items.forEach((item, i) => {
    const s = asString(ctx, item, child(path, i));
    if (s === undefined) return;
    spec.dependsOn?.push({ service: s, condition: 'service_started' });
    refs.push({ service: s, at: item, path: child(path, i) });
  });
  return refs;
}

function readHealthcheck(ctx: Ctx, v: Val, path: string): HealthcheckInput | undefined {
  const m = asMap(ctx, v, path);
  if (!m) return undefined;
  const keys = readKeys(ctx, m, path, K.HEALTHCHECK, 'a healthcheck');
  const disable = keys.get('disable');
  if (disable && asBool(ctx, disable.value, child(path, 'disable'))) return { test: ['NONE'] };
  const hc: HealthcheckInput = {};
  const test = keys.get('test');
  if (test && !isNull(test.value)) {
    const tp = child(path, 'test');
    if (test.value.kind === 'scalar') {
      const s = asString(ctx, test.value, tp);
      if (s !== undefined) hc.test = ['CMD-SHELL', s];
    } else {
      const list = asStrings(ctx, test.value, tp);
      if (list && !['NONE', 'CMD', 'CMD-SHELL'].includes(list[0] ?? '')) {
        ctx.fail(test.value, tp, 'a test list starts with CMD (then the command and its arguments), CMD-SHELL (then one shell command) or NONE');
      } else if (list) {
        if (list[0] !== 'NONE' && list.length < 2) ctx.fail(test.value, tp, `${list[0]} needs a command after it`);
        hc.test = list;
      }
    }
  }
  for (const [k, field] of [['interval', 'intervalMs'], ['timeout', 'timeoutMs'], ['start_period', 'startPeriodMs'], ['start_interval', 'startIntervalMs']] as const) {
    const e = keys.get(k);
    if (!e || isNull(e.value)) continue;
    const ms = duration(ctx, e.value, child(path, k));
    // 0 means "the image's value, else Docker's default", as docker reads it
    if (ms !== undefined && ms > 0) hc[field] = ms;
  }
  const retries = keys.get('retries');
  if (retries && !isNull(retries.value)) {
    const n = asNumber(ctx, retries.value, child(path, 'retries'), { integer: true, min: 0 });
    if (n !== undefined) hc.retries = n;
  }
  return hc;
}

function duration(ctx: Ctx, v: Val, path: string): number | undefined {
  const s = asString(ctx, v, path);
  if (s === undefined) return undefined;
  const ms = parseDurationMs(s);
  if (ms === undefined) return ctx.fail(v, path, `${JSON.stringify(s)} is not a duration: write it as 10s, 1m30s or 500ms`);
  return ms;
}

function setBytes(ctx: Ctx, e: Entry, path: string, set: (n: number) => void, allowUnlimited = false): void {
  const v = e.value;
  let n: number | undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number') n = v.value;
  else if (v.kind === 'scalar' && typeof v.value === 'string') n = v.value.trim() === '-1' ? -1 : parseBytes(v.value);
  if (n === undefined || !Number.isInteger(n) || (n < 0 && !(allowUnlimited && n === -1))) {
    ctx.fail(v, path, `must be a size such as 512m or 1g${allowUnlimited ? ' (or -1 for unlimited)' : ''}`);
    return;
  }
  set(n);
}

function readExtraHosts(ctx: Ctx, v: Val, path: string): string[] {
  const pairs: { host: string; ip: string; at: Val | Entry; path: string }[] = [];
  if (v.kind === 'map') {
    for (const e of v.entries) {
      for (const ip of asStrings(ctx, e.value, child(path, e.key), { single: true }) ?? []) pairs.push({ host: e.key, ip, at: e, path: child(path, e.key) });
    }
  } else {
    asSeq(ctx, v, path)?.items.forEach((item, i) => {
      const s = asString(ctx, item, child(path, i));
      if (s === undefined) return;
      // compose writes host:ip or host=ip
      const m = /^([^:=]+)[:=](.*)$/.exec(s);
      if (!m) ctx.fail(item, child(path, i), `${JSON.stringify(s)} is not HOST:IP`);
      else pairs.push({ host: m[1] as string, ip: m[2] as string, at: item, path: child(path, i) });
    });
  }
  const out: string[] = [];
  for (const p of pairs) {
    try {
      const h = parseExtraHost(`${p.host}:${p.ip}`);
      out.push(`${h.host}:${h.ip}`);
    } catch {
      ctx.fail(p.at, p.path, `"${p.host}:${p.ip}" is not a host entry: use NAME:IPv4, e.g. db.local:10.0.0.5 (berth is IPv4 only)`);
    }
  }
  return out;
}

function readFileReferences(ctx: Ctx, v: Val, path: string, kind: 'secrets' | 'configs', declared: Map<string, FileDecl>): NonNullable<ServiceSpecInput['secrets']> {
  const out: NonNullable<ServiceSpecInput['secrets']> = [];
  asSeq(ctx, v, path)?.items.forEach((item, i) => {
    const p = child(path, i);
    let source: string | undefined;
    const ref: NonNullable<ServiceSpecInput['secrets']>[number] = { source: '' };
    if (item.kind === 'map') {
      const keys = readKeys(ctx, item, p, K.FILE_REFERENCE, `a ${kind.slice(0, -1)} reference`);
      const str = (k: string) => {
        const e = keys.get(k);
        return e && !isNull(e.value) ? asString(ctx, e.value, child(p, k)) : undefined;
      };
      source = str('source');
      if (!keys.has('source')) return void ctx.fail(item, p, `a ${kind.slice(0, -1)} reference needs a source`);
      const target = str('target');
      if (target !== undefined) ref.target = target;
      for (const k of ['uid', 'gid'] as const) {
        const s = str(k);
        if (s === undefined) continue;
        if (!/^\d+$/.test(s)) ctx.fail(keys.get(k), child(p, k), `${JSON.stringify(s)} is not a numeric ${k}`);
        else ref[k] = s;
      }
      const mode = keys.get('mode');
      if (mode && !isNull(mode.value)) {
        const n = octal(ctx, mode.value, child(p, 'mode'));
        if (n !== undefined) ref.mode = n;
      }
    } else {
      source = asString(ctx, item, p);
    }
    if (source === undefined) return;
    const decl = declared.get(source);
    if (!decl) return void ctx.fail(item, p, `service refers to undefined ${kind.slice(0, -1)} ${source}: declare it in the top-level ${kind}`);
    ref.source = decl.ref;
    // an external object named otherwise keeps the file name the service wrote
    if (ref.target === undefined && decl.ref !== source) ref.target = source;
    out.push(ref);
  });
  return out;
}

function readDeploy(ctx: Ctx, e: Entry, path: string, spec: ServiceSpecInput, serviceKeys: Map<string, Entry>, servicePath: string, origins: Origins): void {
  if (isNull(e.value)) return;
  const m = asMap(ctx, e.value, path);
  if (!m) return;
  const keys = readKeys(ctx, m, path, K.DEPLOY, 'deploy');
  const c = spec.container;
  const get = (k: string) => {
    const x = keys.get(k);
    return x && !isNull(x.value) ? x : undefined;
  };
  const p = (k: string) => child(path, k);

  const modeEntry = get('mode');
  const mode = modeEntry ? asString(ctx, modeEntry.value, p('mode')) : 'replicated';
  if (mode !== undefined && mode !== 'replicated' && mode !== 'global') {
    ctx.fail(modeEntry, p('mode'), `${JSON.stringify(mode)} is not supported: use replicated or global (berth has no jobs)`);
  }
  const replicasEntry = get('replicas');
  const replicas = replicasEntry ? asNumber(ctx, replicasEntry.value, p('replicas'), { integer: true, min: 0 }) : undefined;
  if (mode === 'global') {
    if (replicasEntry) ctx.fail(replicasEntry, p('replicas'), 'replicas can only be used with replicated mode');
    if (serviceKeys.has('scale')) ctx.fail(serviceKeys.get('scale'), child(servicePath, 'scale'), 'scale can only be used with replicated mode');
    spec.mode = { mode: 'global' };
    origins.set('mode', modeEntry as Entry, p('mode'));
  } else if (replicas !== undefined) {
    const scale = spec.mode?.mode === 'replicated' ? spec.mode.replicas : undefined;
    if (scale !== undefined && scale !== replicas) ctx.fail(replicasEntry, p('replicas'), `deploy.replicas (${replicas}) and scale (${scale}) differ: keep one of them`);
    spec.mode = { mode: 'replicated', replicas };
    origins.set('mode', replicasEntry as Entry, p('replicas'));
  }

  const labels = get('labels');
  if (labels) {
    spec.labels = {};
    for (const l of asListOrDict(ctx, labels.value, p('labels')) ?? []) spec.labels[l.key] = l.value ?? '';
    origins.set('labels', labels, p('labels'));
  }

  const resources = get('resources');
  const rm = resources ? asMap(ctx, resources.value, p('resources')) : undefined;
  if (rm) {
    const rk = readKeys(ctx, rm, p('resources'), K.RESOURCES, 'resources');
    const rp = p('resources');
    const limits = rk.get('limits');
    const lm = limits ? asMap(ctx, limits.value, child(rp, 'limits')) : undefined;
    if (lm) {
      const lp = child(rp, 'limits');
      const lk = readKeys(ctx, lm, lp, K.LIMITS, 'limits');
      const overridden = (serviceKey: string) => {
        if (serviceKeys.has(serviceKey)) ctx.ignore(serviceKeys.get(serviceKey), child(servicePath, serviceKey), `deploy.resources.limits takes precedence over ${serviceKey}`);
      };
      const cpus = lk.get('cpus');
      if (cpus) {
        const n = asNumber(ctx, cpus.value, child(lp, 'cpus'), { min: 0 });
        overridden('cpus');
        if (n !== undefined && n > 0) c.cpus = n;
        else delete c.cpus;
      }
      const memory = lk.get('memory');
      if (memory) {
        overridden('mem_limit');
        setBytes(ctx, memory, child(lp, 'memory'), (n) => (n > 0 ? (c.memory = n) : delete c.memory));
      }
      const pids = lk.get('pids');
      if (pids) {
        const n = asNumber(ctx, pids.value, child(lp, 'pids'), { integer: true, min: -1 });
        overridden('pids_limit');
        if (n !== undefined && n !== 0) c.pidsLimit = n;
      }
    }
    const reservations = rk.get('reservations');
    const resm = reservations ? asMap(ctx, reservations.value, child(rp, 'reservations')) : undefined;
    if (resm) {
      const resp = child(rp, 'reservations');
      const resk = readKeys(ctx, resm, resp, K.RESERVATIONS, 'reservations');
      const r: { memoryBytes?: number; cpus?: number } = {};
      const cpus = resk.get('cpus');
      if (cpus) {
        const n = asNumber(ctx, cpus.value, child(resp, 'cpus'), { min: 0 });
        if (n !== undefined) r.cpus = n;
      }
      const memory = resk.get('memory');
      if (memory) setBytes(ctx, memory, child(resp, 'memory'), (n) => (r.memoryBytes = n));
      spec.reservations = r;
    }
  }

  const restart = get('restart_policy');
  const restartMap = restart ? asMap(ctx, restart.value, p('restart_policy')) : undefined;
  if (restartMap) {
    const rp = p('restart_policy');
    const rk = readKeys(ctx, restartMap, rp, K.RESTART_POLICY, 'restart_policy');
    const cond = rk.get('condition');
    const text = cond ? asString(ctx, cond.value, child(rp, 'condition')) : 'any';
    const names = { none: 'no', 'on-failure': 'on-failure', any: 'always' } as const;
    const attempts = rk.get('max_attempts');
    const max = attempts ? asNumber(ctx, attempts.value, child(rp, 'max_attempts'), { integer: true, min: 0 }) : undefined;
    if (text !== undefined && !(text in names)) {
      ctx.fail(cond?.value, child(rp, 'condition'), `${JSON.stringify(text)} is not a restart condition: use none, on-failure or any`);
    } else if (text !== undefined) {
      const name = names[text as keyof typeof names];
      if (max !== undefined && name !== 'on-failure') ctx.ignore(attempts, child(rp, 'max_attempts'), 'berth counts restart attempts only with condition: on-failure');
      c.restartPolicy = { name, maximumRetryCount: name === 'on-failure' ? (max ?? 0) : 0 };
      if (serviceKeys.has('restart')) ctx.ignore(serviceKeys.get('restart'), child(servicePath, 'restart'), 'deploy.restart_policy takes precedence, as in docker stack deploy');
    }
  }

  const placement = get('placement');
  const pm = placement ? asMap(ctx, placement.value, p('placement')) : undefined;
  if (pm) readPlacement(ctx, pm, p('placement'), spec, origins);

  const update = get('update_config');
  const um = update ? asMap(ctx, update.value, p('update_config')) : undefined;
  if (um) {
    const up = p('update_config');
    const uk = readKeys(ctx, um, up, K.UPDATE_CONFIG, 'update_config');
    const u: NonNullable<ServiceSpecInput['update']> = {};
    const n = (k: string, opts: Parameters<typeof asNumber>[3]) => {
      const x = uk.get(k);
      return x && !isNull(x.value) ? asNumber(ctx, x.value, child(up, k), opts) : undefined;
    };
    const d = (k: string) => {
      const x = uk.get(k);
      return x && !isNull(x.value) ? duration(ctx, x.value, child(up, k)) : undefined;
    };
    const s = (k: string, allowed: string[]) => {
      const x = uk.get(k);
      const text = x && !isNull(x.value) ? asString(ctx, x.value, child(up, k)) : undefined;
      if (text !== undefined && !allowed.includes(text)) return ctx.fail(x?.value, child(up, k), `${JSON.stringify(text)} is not one of ${allowed.join(', ')}`);
      return text;
    };
    const parallelism = n('parallelism', { integer: true, min: 0 });
    if (parallelism !== undefined) u.parallelism = parallelism;
    const delay = d('delay');
    if (delay !== undefined) u.delayMs = delay;
    const order = s('order', ['stop-first', 'start-first']);
    if (order !== undefined) u.order = order as 'stop-first';
    const failure = s('failure_action', ['pause', 'rollback', 'continue']);
    if (failure !== undefined) u.failureAction = failure as 'pause';
    const monitor = d('monitor');
    if (monitor !== undefined) u.monitorMs = monitor;
    const ratio = n('max_failure_ratio', { min: 0, max: 1 });
    if (ratio !== undefined) u.maxFailureRatio = ratio;
    spec.update = u;
    origins.set('update', update as Entry, p('update_config'));
  }
}

/** Swarm's constraint attributes berth can check; the others are ignored with a reason. */
const CONSTRAINT = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=)\s*(.+?)\s*$/;
const CONSTRAINT_ATTRIBUTES = /^node\.(id|hostname|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)$/;

function readPlacement(ctx: Ctx, m: Val & { kind: 'map' }, path: string, spec: ServiceSpecInput, origins: Origins): void {
  const keys = readKeys(ctx, m, path, K.PLACEMENT, 'placement');
  const placement: NonNullable<ServiceSpecInput['placement']> = {};
  const constraints = keys.get('constraints');
  if (constraints && !isNull(constraints.value)) {
    placement.constraints = [];
    const cp = child(path, 'constraints');
    asSeq(ctx, constraints.value, cp)?.items.forEach((item, i) => {
      const s = asString(ctx, item, child(cp, i));
      if (s === undefined) return;
      const c = CONSTRAINT.exec(s);
      if (!c) return void ctx.fail(item, child(cp, i), `${JSON.stringify(s)} is not a constraint: write ATTRIBUTE == VALUE or ATTRIBUTE != VALUE, e.g. node.labels.zone == east`);
      if (!CONSTRAINT_ATTRIBUTES.test(c[1] as string)) {
        return void ctx.ignore(item, child(cp, i), `berth cannot check ${c[1]}: it knows node.id, node.hostname, node.labels.KEY, node.platform.os and node.platform.arch`);
      }
      placement.constraints?.push(`${c[1]} ${c[2]} ${c[3]}`);
    });
    origins.set('placement.constraints', constraints, child(path, 'constraints'));
  }
  const preferences = keys.get('preferences');
  if (preferences && !isNull(preferences.value)) {
    placement.preferences = [];
    const pp = child(path, 'preferences');
    asSeq(ctx, preferences.value, pp)?.items.forEach((item, i) => {
      const im = asMap(ctx, item, child(pp, i));
      if (!im) return;
      const spread = readKeys(ctx, im, child(pp, i), K.PREFERENCE, 'a placement preference').get('spread');
      if (!spread) return void ctx.fail(item, child(pp, i), 'a placement preference is spread: LABEL');
      const s = asString(ctx, spread.value, child(child(pp, i), 'spread'));
      if (s !== undefined) placement.preferences?.push({ spread: s });
    });
    origins.set('placement.preferences', preferences, child(path, 'preferences'));
  }
  const max = keys.get('max_replicas_per_node');
  if (max && !isNull(max.value)) {
    const n = asNumber(ctx, max.value, child(path, 'max_replicas_per_node'), { integer: true, min: 0 });
    // 0 is Swarm's "no limit"
    if (n !== undefined && n > 0) placement.maxReplicasPerHost = n;
  }
  spec.placement = placement;
}
