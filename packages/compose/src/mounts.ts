// A service's `volumes` entries, short or long syntax, as the engine's binds (`SOURCE:TARGET[:ro]`)
// and tmpfs mounts. Named volumes must be declared; relative host paths resolve against the
// compose file's directory.
import { asBool, asBytes, asFileMode, asMap, asString, child, type Ctx, isNull, readKeys } from './context.ts';
import * as K from './keys.ts';
import { resolvePath } from './paths.ts';
import type { ServiceInputs, StackObjects } from './service-context.ts';
import type { Entry, Val } from './tree.ts';

const MOUNT_MODES_IGNORED = new Set(['z', 'Z', 'nocopy', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'cached', 'delegated', 'consistent']);

export interface MountSink {
  binds: string[];
  tmpfs: Record<string, string>;
  /** false (and an error recorded) when the target is mounted already */
  claim: (target: string, at: Val | Entry, path: string) => boolean;
}

export function readMount(ctx: Ctx, item: Val, path: string, objects: StackObjects, inputs: ServiceInputs, sink: MountSink): void {
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
          const n = asBytes(ctx, size.value, child(child(path, 'tmpfs'), 'size'));
          if (n !== undefined) opts.push(`size=${n}`);
        }
        const mode = ok.get('mode');
        if (mode) {
          const n = asFileMode(ctx, mode.value, child(child(path, 'tmpfs'), 'mode'), 0o7777);
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
