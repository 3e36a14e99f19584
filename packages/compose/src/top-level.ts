// The file's top-level networks, volumes, secrets and configs, as the stack's own objects.
// Names stay as written (the control plane prefixes them with the stack's name); an external
// object keeps the name it already has (`name:`, or the deprecated `external.name`).
import { SERVICE_NAME, type StackFile, type StackNetwork, type StackVolume } from '@berth/protocol';
import type { z } from 'zod';
import { asBool, asListOrDict, asMap, asSeq, asString, child, type Ctx, readKeys } from './context.ts';
import type { Lookup } from './interpolate.ts';
import { CONFIG, IPAM, IPAM_CONFIG, NETWORK, SECRET, VOLUME } from './keys.ts';
import type { Entry, Val } from './tree.ts';

export type FileReader = (path: string) => string | Uint8Array | undefined;

export interface NetworkDecl {
  spec: z.input<typeof StackNetwork>;
  /** the name services use for it (ServiceSpec.networks) */
  ref: string;
}
export interface VolumeDecl {
  spec: z.input<typeof StackVolume>;
  /** the name a bind gives the engine: STACK_KEY, or an external volume's own name */
  source: string;
}
export interface FileDecl {
  spec: z.input<typeof StackFile>;
  /** FileReference.source */
  ref: string;
}

const NAME_RULE = 'is not a valid name: use [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 63 characters';

function checkName(ctx: Ctx, at: Entry | Val, path: string, name: string, what: string): boolean {
  if (SERVICE_NAME.test(name)) return true;
  ctx.fail(at, path, `${what} ${JSON.stringify(name)} ${NAME_RULE}`);
  return false;
}

/**
 * `external: true`, `external: "true"` or the deprecated `external: {name: X}`. Returns whether the
 * object is external and the name it already has, if `external` gives one.
 */
function readExternal(ctx: Ctx, v: Val, path: string): { external: boolean; name?: string } {
  if (v.kind === 'map') {
    const nameEntry = v.entries.find((e) => e.key === 'name');
    for (const e of v.entries) if (e.key !== 'name' && !e.key.startsWith('x-')) ctx.fail(e, child(path, e.key), `${JSON.stringify(e.key)} is not a key of external (only name)`);
    if (!nameEntry) return { external: true };
    const name = asString(ctx, nameEntry.value, child(path, 'name'));
    ctx.ignore(nameEntry, child(path, 'name'), 'external.name is deprecated in compose: write name: at the level of external');
    return name === undefined ? { external: true } : { external: true, name };
  }
  return { external: asBool(ctx, v, path) ?? false };
}

/** Keys that compose refuses next to `external: true`. */
function conflictsWithExternal(ctx: Ctx, keys: Map<string, Entry>, path: string, allowed: string[]): void {
  for (const [k, e] of keys) {
    if (!allowed.includes(k)) ctx.fail(e, child(path, k), `conflicting parameters "external" and "${k}": an external object is used as it is`);
  }
}

function labelsOf(ctx: Ctx, e: Entry | undefined, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!e) return out;
  for (const l of asListOrDict(ctx, e.value, child(path, 'labels')) ?? []) out[l.key] = l.value ?? '';
  return out;
}

/** How the external/stack-owned name is chosen, shared by every kind of object. */
function naming(ctx: Ctx, keys: Map<string, Entry>, entry: Entry, path: string, what: string): { external: boolean; name: string } | undefined {
  const ext = keys.get('external');
  const { external, name: externalName } = ext ? readExternal(ctx, ext.value, child(path, 'external')) : { external: false };
  const nameEntry = keys.get('name');
  const given = nameEntry ? asString(ctx, nameEntry.value, child(path, 'name')) : undefined;
  if (!external && nameEntry) ctx.ignore(nameEntry, child(path, 'name'), `berth names the stack’s ${what} STACK_${entry.key}; name: is kept only for external ones`);
  const name = external ? (given ?? externalName ?? entry.key) : entry.key;
  return checkName(ctx, nameEntry && external && given ? nameEntry : entry, path, name, what) ? { external, name } : undefined;
}

export function readNetworks(ctx: Ctx, v: Val, path: string): Map<string, NetworkDecl> {
  const out = new Map<string, NetworkDecl>();
  for (const entry of asMap(ctx, v, path)?.entries ?? []) {
    if (entry.key.startsWith('x-')) continue;
    const p = child(path, entry.key);
    const m = asMap(ctx, entry.value, p);
    if (!m) continue;
    const keys = readKeys(ctx, m, p, NETWORK, 'a network');
    const named = naming(ctx, keys, entry, p, 'network');
    if (!named) continue;
    if (named.external) conflictsWithExternal(ctx, keys, p, ['external', 'name']);
    const driver = keys.get('driver');
    if (driver) {
      const d = asString(ctx, driver.value, child(p, 'driver'));
      if (d !== undefined && d !== 'bridge' && d !== 'overlay') {
        ctx.fail(driver.value, child(p, 'driver'), `the ${JSON.stringify(d)} driver is not supported: berth makes bridge networks on each host (bridge and overlay both become one)`);
      }
    }
    const internalEntry = keys.get('internal');
    const internal = internalEntry ? asBool(ctx, internalEntry.value, child(p, 'internal')) : undefined;
    const subnet = keys.get('ipam') ? readIpam(ctx, keys.get('ipam') as Entry, child(p, 'ipam')) : undefined;
    const spec: NetworkDecl['spec'] = { name: named.name, labels: labelsOf(ctx, keys.get('labels'), p) };
    if (named.external) spec.external = true;
    if (internal) spec.internal = true;
    if (subnet) spec.subnet = subnet;
    out.set(entry.key, { spec, ref: named.name });
  }
  return out;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function readIpam(ctx: Ctx, e: Entry, path: string): string | undefined {
  const m = asMap(ctx, e.value, path);
  if (!m) return undefined;
  const keys = readKeys(ctx, m, path, IPAM, 'ipam');
  const driver = keys.get('driver');
  if (driver) {
    const d = asString(ctx, driver.value, child(path, 'driver'));
    if (d !== undefined && d !== 'default') ctx.ignore(driver, child(path, 'driver'), `the ${JSON.stringify(d)} IPAM driver is not supported: berth allocates addresses itself`);
  }
  const config = keys.get('config');
  if (!config) return undefined;
  const seq = asSeq(ctx, config.value, child(path, 'config'));
  let subnet: string | undefined;
  seq?.items.forEach((item, i) => {
    const p = child(child(path, 'config'), i);
    const cm = asMap(ctx, item, p);
    if (!cm) return;
    const ck = readKeys(ctx, cm, p, IPAM_CONFIG, 'an ipam config');
    const s = ck.get('subnet');
    if (!s) return;
    const text = asString(ctx, s.value, child(p, 'subnet'));
    if (text === undefined) return;
    if (text.includes(':')) {
      ctx.ignore(s, child(p, 'subnet'), 'berth networks are IPv4 only');
      return;
    }
    const cidr = IPV4_CIDR.exec(text);
    if (!cidr || cidr.slice(1, 5).some((o) => Number(o) > 255) || Number(cidr[5]) > 30) {
      ctx.fail(s.value, child(p, 'subnet'), `${JSON.stringify(text)} is not an IPv4 subnet such as 10.20.0.0/24`);
      return;
    }
    if (subnet !== undefined) ctx.ignore(s, child(p, 'subnet'), `a berth network has one subnet: ${subnet} is used`);
    else subnet = text;
  });
  return subnet;
}

export function readVolumes(ctx: Ctx, v: Val, path: string, stackName: string): Map<string, VolumeDecl> {
  const out = new Map<string, VolumeDecl>();
  for (const entry of asMap(ctx, v, path)?.entries ?? []) {
    if (entry.key.startsWith('x-')) continue;
    const p = child(path, entry.key);
    const m = asMap(ctx, entry.value, p);
    if (!m) continue;
    const keys = readKeys(ctx, m, p, VOLUME, 'a volume');
    const named = naming(ctx, keys, entry, p, 'volume');
    if (!named) continue;
    if (named.external) conflictsWithExternal(ctx, keys, p, ['external', 'name']);
    const driver = keys.get('driver');
    if (driver) {
      const d = asString(ctx, driver.value, child(p, 'driver'));
      if (d !== undefined && d !== 'local') ctx.fail(driver.value, child(p, 'driver'), `the ${JSON.stringify(d)} volume driver is not supported: berth volumes are local`);
    }
    const spec: VolumeDecl['spec'] = { name: named.name, labels: labelsOf(ctx, keys.get('labels'), p) };
    if (named.external) spec.external = true;
    out.set(entry.key, { spec, source: named.external ? named.name : `${stackName}_${entry.key}` });
  }
  return out;
}

export interface FileSources {
  env: Lookup;
  readFile?: FileReader;
}

/** Top-level secrets (kind 'secret') or configs (kind 'config'): their content, base64. */
export function readFiles(ctx: Ctx, v: Val, path: string, kind: 'secret' | 'config', sources: FileSources): Map<string, FileDecl> {
  const out = new Map<string, FileDecl>();
  for (const entry of asMap(ctx, v, path)?.entries ?? []) {
    if (entry.key.startsWith('x-')) continue;
    const p = child(path, entry.key);
    const m = asMap(ctx, entry.value, p);
    if (!m) continue;
    const keys = readKeys(ctx, m, p, kind === 'secret' ? SECRET : CONFIG, `a ${kind}`);
    const named = naming(ctx, keys, entry, p, kind);
    if (!named) continue;
    const spec: FileDecl['spec'] = { name: named.name };
    const sourcesGiven = ['file', 'environment', 'content'].filter((k) => keys.has(k));
    if (named.external) {
      conflictsWithExternal(ctx, keys, p, ['external', 'name']);
      spec.external = true;
    } else if (sourcesGiven.length !== 1) {
      const options = kind === 'secret' ? 'file, environment or external' : 'file, environment, content or external';
      ctx.fail(entry, p, sourcesGiven.length === 0 ? `a ${kind} needs one of ${options}` : `give only one of ${sourcesGiven.join(', ')}`);
    } else {
      const data = readContent(ctx, keys.get(sourcesGiven[0] as string) as Entry, child(p, sourcesGiven[0] as string), sources);
      if (data !== undefined) spec.data = data;
    }
    out.set(entry.key, { spec, ref: named.name });
  }
  return out;
}

function readContent(ctx: Ctx, e: Entry, path: string, sources: FileSources): string | undefined {
  const text = asString(ctx, e.value, path);
  if (text === undefined) return undefined;
  if (e.key === 'content') return base64(text);
  if (e.key === 'environment') {
    const v = sources.env(text);
    if (v === undefined) return ctx.fail(e.value, path, `the environment variable ${text} is not set`);
    return base64(v);
  }
  const content = sources.readFile?.(text);
  if (content === undefined) return ctx.fail(e.value, path, `the file ${JSON.stringify(text)} was not found (a relative path is relative to the compose file’s directory)`);
  return base64(content);
}

/** base64 without Buffer, so the importer also runs in a browser. */
export function base64(content: string | Uint8Array): string {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
