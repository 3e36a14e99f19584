// Decisions about tar entry names, made on strings alone before anything touches the disk:
// which paths are safe, and which names are OCI whiteouts.
import { posix } from 'node:path';
import { unsafeEntry } from './errors.ts';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * The entry's path relative to the layer root, '/'-separated, without `.` components or
 * trailing slashes; '' for the root itself. Absolute paths and any `..` component are refused,
 * whatever they would normalise to: a well-formed layer never has them.
 */
export function cleanEntryPath(name: string): string {
  if (name.includes('\0')) throw unsafeEntry(name, 'has a NUL byte in its name');
  if (name.startsWith('/')) throw unsafeEntry(name, 'has an absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafeEntry(name, "has a '..' component (it would land outside the layer)");
  return parts.join('/');
}

/** A hardlink's target, cleaned the same way: it must name something inside this layer. */
export function cleanLinkTarget(entry: string, linkname: string): string {
  if (linkname.startsWith('/')) throw unsafeEntry(entry, `is a hardlink to the absolute path ${JSON.stringify(linkname)} (outside the layer)`);
  const parts = linkname.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafeEntry(entry, `is a hardlink to ${JSON.stringify(linkname)}, outside the layer`);
  if (parts.length === 0) throw unsafeEntry(entry, 'is a hardlink to the layer root');
  return parts.join('/');
}

/**
 * Does a symlink at `path` (layer-relative) with `target` point above the root when resolved
 * lexically? Absolute targets resolve inside the container's root, so they do not.
 */
export function symlinkEscapes(path: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  // Walk it by hand: posix.normalize would clamp `/..` to `/` and hide the escape.
  let depth = path.split('/').filter((p) => p !== '' && p !== '.').length - 1;
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

export type WhiteoutKind =
  | { kind: 'regular' }
  /** `.wh.<name>`: <name> is deleted from lower layers. */
  | { kind: 'whiteout'; target: string }
  /** `.wh..wh..opq`: the directory hides everything lower layers have in it. */
  | { kind: 'opaque'; dir: string }
  /** Other `.wh..wh.` names: AUFS bookkeeping (hardlink dirs), not part of the filesystem. */
  | { kind: 'aufs-metadata' };

/** Classifies a cleaned path by its last component. */
export function classifyWhiteout(path: string): WhiteoutKind {
  const base = posix.basename(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'regular' };
  const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir };
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'aufs-metadata' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') throw unsafeEntry(path, 'is a whiteout that names no file');
  return { kind: 'whiteout', target: dir === '' ? name : `${dir}/${name}` };
}
