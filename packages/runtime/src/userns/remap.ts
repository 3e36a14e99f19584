// dockerd's --userns-remap for berth (BERTH_USERNS_REMAP): which host ids a container's ids
// map to. "default" uses the user berth-remap, created with a free subordinate range when
// missing, as dockerd does for dockremap; "USER[:GROUP]" uses that user's /etc/subuid range
// and the group's /etc/subgid range (the group defaults to the user's name).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from '../sys/exec.ts';
import { remapMappings } from './idmap.ts';
import type { IdMappings } from './idmap.ts';
import { MIN_REMAP_SIZE, nextFreeRange, parseSubIds, remapRange, SubIdError } from './subid.ts';

export const DEFAULT_REMAP_USER = 'berth-remap';

export interface UsernsRemap {
  user: string;
  group: string;
  uid: { start: number; size: number };
  gid: { start: number; size: number };
  mappings: IdMappings;
}

export interface RemapHostOptions {
  exec: Exec;
  /** Where etc/passwd, etc/group, etc/subuid and etc/subgid are; "/" on a host (useradd --prefix otherwise). */
  root?: string;
}

/** `--userns-remap`'s syntax: default, or USER[:GROUP] by name or numeric id. */
export function parseRemapSetting(setting: string): { user: string; group?: string } | 'default' | null {
  const s = setting.trim();
  if (s === '') return null;
  if (s === 'default') return 'default';
  const m = /^([a-z_][a-z0-9_.-]*\$?|\d+)(?::([a-z_][a-z0-9_.-]*|\d+))?$/i.exec(s);
  if (!m) throw new SubIdError(`BERTH_USERNS_REMAP=${JSON.stringify(setting)} is not "default" or USER[:GROUP] (names or numeric ids)`);
  return { user: m[1] as string, ...(m[2] ? { group: m[2] } : {}) };
}

interface Entry {
  name: string;
  id: number;
}

/** name:x:id:... lines of /etc/passwd or /etc/group. */
function parseEntries(text: string): Entry[] {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && f[0] && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ name: f[0] as string, id: Number(f[2]) }));
}

const readOrEmpty = (path: string) => readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));

function lookup(entries: Entry[], ref: string, kind: 'user' | 'group', file: string): Entry {
  const found = /^\d+$/.test(ref) ? entries.find((e) => e.id === Number(ref)) : entries.find((e) => e.name === ref);
  if (!found) throw new SubIdError(`BERTH_USERNS_REMAP names the ${kind} ${ref}, which ${file} does not have: create it (useradd --system ${ref}) or use BERTH_USERNS_REMAP=default`);
  return found;
}

/**
 * The remapping the setting asks for, null when off. Creates berth-remap and its ranges for
 * "default" when they are missing; otherwise changes nothing on the host.
 */
export async function resolveUsernsRemap(setting: string, o: RemapHostOptions): Promise<UsernsRemap | null> {
  const parsed = parseRemapSetting(setting);
  if (parsed === null) return null;
  const root = o.root ?? '/';
  const etc = (f: string) => join(root, 'etc', f);
  if (parsed === 'default') await ensureRemapUser(DEFAULT_REMAP_USER, o.exec, root);
  const want = parsed === 'default' ? { user: DEFAULT_REMAP_USER } : parsed;
  const user = lookup(parseEntries(await readOrEmpty(etc('passwd'))), want.user, 'user', etc('passwd'));
  const group = lookup(parseEntries(await readOrEmpty(etc('group'))), want.group ?? user.name, 'group', etc('group'));
  const uid = remapRange(parseSubIds(await readOrEmpty(etc('subuid'))), user, etc('subuid'));
  const gid = remapRange(parseSubIds(await readOrEmpty(etc('subgid'))), group, etc('subgid'));
  return { user: user.name, group: group.name, uid, gid, mappings: remapMappings(uid, gid) };
}

async function run(exec: Exec, argv: string[]): Promise<void> {
  const r = await exec.run(argv, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new SubIdError(`cannot set up the user namespace remap user: ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
}

/**
 * The system user (and its group) with one free range of 65536 subordinate uids and gids,
 * made when missing, as dockerd makes dockremap.
 */
export async function ensureRemapUser(name: string, exec: Exec, root = '/'): Promise<void> {
  const etc = (f: string) => join(root, 'etc', f);
  const prefix = root === '/' ? [] : ['--prefix', root];
  if (!parseEntries(await readOrEmpty(etc('passwd'))).some((e) => e.name === name)) {
    await run(exec, ['useradd', ...prefix, '--system', '--no-create-home', '--shell', '/usr/sbin/nologin', '--user-group', name]);
  }
  const subuid = parseSubIds(await readOrEmpty(etc('subuid')));
  const subgid = parseSubIds(await readOrEmpty(etc('subgid')));
  const hasUid = subuid.some((r) => r.owner === name);
  const hasGid = subgid.some((r) => r.owner === name);
  if (hasUid && hasGid) return;
  // one start for both files keeps uid and gid of a container's files alike on the host
  const start = nextFreeRange([...subuid, ...subgid]);
  const range = `${start}-${start + MIN_REMAP_SIZE - 1}`;
  await run(exec, ['usermod', ...prefix, ...(hasUid ? [] : ['--add-subuids', range]), ...(hasGid ? [] : ['--add-subgids', range]), name]);
}
