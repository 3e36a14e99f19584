// One entry of `services:` as a ServiceSpec: the container template of its replicas plus the
// deploy settings (mode, placement, resources, update). Each value is checked where it is read,
// so an error names the compose key that was wrong rather than a field of the spec.
import { parseExposed, parseExtraHost, parsePublish } from '@berth/protocol';
import { asBool, asBytes, asDurationMs, asFileMode, asListOrDict, asMap, asNumber, asSeq, asString, asStrings, child, type Ctx, isNull, readKeys } from './context.ts';
import { readDeploy } from './deploy.ts';
import { readEnvironment } from './environment.ts';
import * as K from './keys.ts';
import { readMount } from './mounts.ts';
import { type HealthcheckInput, Origins, type ServiceInputs, type ServiceSpecInput, type StackObjects, type TemplateInput } from './service-context.ts';
import { ShellWordsError, splitShellWords } from './shell-words.ts';
import type { FileDecl } from './top-level.ts';
import type { Entry, Val } from './tree.ts';

export interface ReadService {
  spec: ServiceSpecInput;
  origins: Origins;
  usesDefaultNetwork: boolean;
  dependsOn: { service: string; at: Val | Entry; path: string }[];
}

export const DEFAULT_NETWORK = 'default';

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

  if (has('mem_limit')) {
    const n = asBytes(ctx, at('mem_limit').value, p('mem_limit'));
    if (n) c.memory = n;
  }
  if (has('memswap_limit')) {
    const n = asBytes(ctx, at('memswap_limit').value, p('memswap_limit'), { unlimited: true });
    if (n !== undefined) c.memorySwap = n;
  }
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
    const ms = asDurationMs(ctx, e.value, child(path, k));
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
        const n = asFileMode(ctx, mode.value, child(p, 'mode'));
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
