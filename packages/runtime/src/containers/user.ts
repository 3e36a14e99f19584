// `--user` resolution against the container's own /etc/passwd and /etc/group, as runc's
// libcontainer/user does for Docker.
import { invalid } from './errors.ts';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** $HOME for the process, from passwd; "/" when unknown. */
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name = '', , uid = '', gid = '', , home = ''] = line.split(':');
    if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    out.push({ name, uid: Number(uid), gid: Number(gid), home });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [name = '', , gid = '', members = ''] = line.split(':');
    if (!/^\d+$/.test(gid)) continue;
    out.push({ name, gid: Number(gid), members: members.split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return out;
}

const NUMERIC = /^\d+$/;

/**
 * "uid", "uid:gid", "name", "name:group" (empty = root). A numeric uid need not exist in
 * passwd (its gid is then 0 unless given); a name must. Supplementary groups are those that
 * list the user by name, as for a login.
 */
export function resolveUser(spec: string | undefined, passwdText: string, groupText: string, containerId = ''): ResolvedUser {
  const [userPart = '', groupPart] = (spec ?? '').split(':', 2);
  const users = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const where = containerId ? ` (container ${containerId})` : '';

  let uid: number;
  let gid = 0;
  let name: string | null = null;
  let home = '/';
  const byName = users.find((u) => u.name === userPart);
  if (userPart === '') {
    const root = users.find((u) => u.uid === 0);
    uid = 0;
    name = root?.name ?? 'root';
    home = root?.home || '/root';
  } else if (NUMERIC.test(userPart)) {
    uid = Number(userPart);
    const entry = users.find((u) => u.uid === uid);
    if (entry) ({ gid, name, home } = entry);
  } else if (byName) {
    ({ uid, gid, name, home } = byName);
  } else {
    throw invalid(`unable to find user ${userPart}: no matching entries in passwd file${where}`, containerId || null);
  }
  if (uid > 2 ** 31 - 1) throw invalid(`uid ${uid} is out of range${where}`, containerId || null);

  if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw invalid(`unable to find group ${groupPart}: no matching entries in group file${where}`, containerId || null);
      gid = g.gid;
    }
  }
  const additionalGids = name === null ? [] : groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid);
  return { uid, gid, additionalGids: [...new Set(additionalGids)], home: home || '/' };
}
