// /etc/subuid and /etc/subgid (subuid(5)): "name-or-id:start:count" per line. dockerd's
// --userns-remap takes its ranges from there; berth uses the first range of the user (or
// group), which must hold at least 65536 ids (0-65535: every id an image may use).

export interface SubIdRange {
  /** The user or group name (or numeric id) the line is for. */
  owner: string;
  start: number;
  size: number;
}

/** Ids a remap range must cover: every 16-bit uid, as images assume (nobody is 65534). */
export const MIN_REMAP_SIZE = 65536;
/** Where dockerd starts allocating when it creates its remap user's ranges. */
export const FIRST_SUBORDINATE_ID = 100000;
/** uid_t is 32 bits and (uid_t)-1 means "no change" to chown: the last usable id is 2^32-2. */
const MAX_ID = 2 ** 32 - 2;

/** Every well-formed line; comments, blank and malformed lines are skipped as shadow-utils does. */
export function parseSubIds(text: string): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length !== 3) continue;
    const [owner, start, size] = parts as [string, string, string];
    if (owner === '' || !/^\d+$/.test(start) || !/^\d+$/.test(size)) continue;
    const s = Number(start);
    const n = Number(size);
    if (n === 0 || s + n - 1 > MAX_ID) continue;
    out.push({ owner, start: s, size: n });
  }
  return out;
}

export class SubIdError extends Error {
  override readonly name = 'SubIdError';
}

/**
 * The range remapping uses for `owner` (a name, also matched by its numeric `id` when given):
 * the first line for it. Refused when there is none or it is smaller than MIN_REMAP_SIZE.
 */
export function remapRange(ranges: readonly SubIdRange[], owner: { name: string; id?: number }, file: string): { start: number; size: number } {
  const first = ranges.find((r) => r.owner === owner.name || (owner.id !== undefined && r.owner === String(owner.id)));
  if (!first) {
    throw new SubIdError(`${file} has no range for ${owner.name}: add a line such as "${owner.name}:${FIRST_SUBORDINATE_ID}:${MIN_REMAP_SIZE}" (usermod --add-subuids/--add-subgids), or set BERTH_USERNS_REMAP=default`);
  }
  if (first.size < MIN_REMAP_SIZE) {
    throw new SubIdError(`${file}: the range of ${owner.name} (${first.start}:${first.size}) holds ${first.size} ids, fewer than the ${MIN_REMAP_SIZE} a container's ids 0-65535 need: give it at least ${MIN_REMAP_SIZE}`);
  }
  return { start: first.start, size: first.size };
}

/**
 * The first `size` ids at or above FIRST_SUBORDINATE_ID that no line of either file uses, as
 * dockerd picks a range for dockremap.
 */
export function nextFreeRange(taken: readonly SubIdRange[], size = MIN_REMAP_SIZE): number {
  const sorted = [...taken].sort((a, b) => a.start - b.start);
  let start = FIRST_SUBORDINATE_ID;
  for (const r of sorted) {
    if (r.start + r.size <= start) continue;
    if (r.start >= start + size) break;
    start = r.start + r.size;
  }
  if (start + size - 1 > MAX_ID) throw new SubIdError(`no free range of ${size} subordinate ids is left in /etc/subuid and /etc/subgid`);
  return start;
}
