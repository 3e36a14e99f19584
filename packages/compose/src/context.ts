// What one import collects (errors, ignored keys) and the typed readers every part of the
// importer uses, so each message names its line, its key path and what to write instead.
import type { Entry, Pos, Scalar, Val } from './tree.ts';
import { parseBytes, parseDurationMs } from './units.ts';

/** One thing wrong with the file, where it is. */
export interface ComposeIssue {
  /** the key path, as `services.web.ports[1]` */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

/** A key berth does not carry out (or a warning, such as an unset variable), and why. */
export interface IgnoredKey {
  path: string;
  line?: number;
  reason: string;
}

/** The file cannot become a stack. `issues` lists each problem; the message has one per line. */
export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  constructor(
    readonly fileName: string,
    readonly issues: ComposeIssue[],
  ) {
    super(issues.map((i) => formatIssue(fileName, i)).join('\n'));
  }
}

export function formatIssue(fileName: string, i: ComposeIssue): string {
  const where = i.line === undefined ? fileName : `${fileName}:${i.line}${i.column === undefined ? '' : `:${i.column}`}`;
  return `${where}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

type Where = Val | Entry | Pos | undefined;

function posOf(at: Where): Pos | undefined {
  if (!at) return undefined;
  if ('line' in at) return at;
  if ('keyPos' in at) return at.keyPos;
  return at.pos;
}

export class Ctx {
  readonly errors: ComposeIssue[] = [];
  readonly ignored: IgnoredKey[] = [];

  /** Records an error; returns undefined so a reader can `return ctx.fail(...)`. */
  fail(at: Where, path: string, message: string): undefined {
    const pos = posOf(at);
    this.errors.push({ path, ...(pos ? { line: pos.line, column: pos.column } : {}), message });
    return undefined;
  }

  ignore(at: Where, path: string, reason: string): void {
    const pos = posOf(at);
    this.ignored.push({ path, ...(pos ? { line: pos.line } : {}), reason });
  }
}

/** `services` + `web` → `services.web`; a key with dots or blanks is quoted: `labels["a.b"]`. */
export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const safe = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  if (!path) return safe;
  return safe.startsWith('"') ? `${path}[${safe}]` : `${path}.${safe}`;
}

export type MapVal = Val & { kind: 'map' };
export type SeqVal = Val & { kind: 'seq' };

function describe(v: Val): string {
  if (v.kind === 'map') return 'a mapping';
  if (v.kind === 'seq') return 'a list';
  if (v.value === null) return 'empty';
  return JSON.stringify(v.value);
}

export function isNull(v: Val | undefined): boolean {
  return v === undefined || (v.kind === 'scalar' && v.value === null);
}

/** A mapping; `null` (a key written with nothing after it) counts as an empty one. */
export function asMap(ctx: Ctx, v: Val, path: string): MapVal | undefined {
  if (v.kind === 'map') return v;
  if (v.kind === 'scalar' && v.value === null) return { kind: 'map', entries: [], pos: v.pos };
  return ctx.fail(v, path, `must be a mapping, not ${describe(v)}`);
}

export function asSeq(ctx: Ctx, v: Val, path: string): SeqVal | undefined {
  if (v.kind === 'seq') return v;
  return ctx.fail(v, path, `must be a list, not ${describe(v)}`);
}

/** A string; numbers are taken as written (`user: 1000`). */
export function asString(ctx: Ctx, v: Val, path: string): string | undefined {
  if (v.kind === 'scalar' && typeof v.value === 'string') return v.value;
  if (v.kind === 'scalar' && typeof v.value === 'number') return v.source || String(v.value);
  return ctx.fail(v, path, `must be a string, not ${describe(v)}`);
}

const TRUE = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0']);

/** true/false, or a string compose reads as one (after interpolation: tty: "${TTY:-false}"). */
export function asBool(ctx: Ctx, v: Val, path: string): boolean | undefined {
  if (v.kind === 'scalar' && typeof v.value === 'boolean') return v.value;
  if (v.kind === 'scalar' && typeof v.value === 'string') {
    const s = v.value.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  return ctx.fail(v, path, `must be true or false, not ${describe(v)}`);
}

/** A number, or a string holding one (replicas: "${REPLICAS:-2}"). */
export function asNumber(ctx: Ctx, v: Val, path: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  let n: number | undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number') n = v.value;
  else if (v.kind === 'scalar' && typeof v.value === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v.value)) n = Number(v.value);
  const what = opts.integer ? 'a whole number' : 'a number';
  if (n === undefined || !Number.isFinite(n)) return ctx.fail(v, path, `must be ${what}, not ${describe(v)}`);
  if (opts.integer && !Number.isInteger(n)) return ctx.fail(v, path, `must be ${what}, not ${describe(v)}`);
  if (opts.min !== undefined && n < opts.min) return ctx.fail(v, path, `must be at least ${opts.min}, not ${n}`);
  if (opts.max !== undefined && n > opts.max) return ctx.fail(v, path, `must be at most ${opts.max}, not ${n}`);
  return n;
}

/** A list of strings; with `single`, one string is a list of one (dns: 8.8.8.8). */
export function asStrings(ctx: Ctx, v: Val, path: string, opts: { single?: boolean } = {}): string[] | undefined {
  if (opts.single && v.kind === 'scalar' && v.value !== null) {
    const s = asString(ctx, v, path);
    return s === undefined ? undefined : [s];
  }
  const seq = asSeq(ctx, v, path);
  if (!seq) return undefined;
  const out: string[] = [];
  seq.items.forEach((item, i) => {
    const s = asString(ctx, item, child(path, i));
    if (s !== undefined) out.push(s);
  });
  return out;
}

/**
 * compose's list_or_dict: `{KEY: value}` or `[KEY=value]`. A key without a value (`KEY` in a
 * list, `KEY:` with nothing in a map) has value null.
 */
export function asListOrDict(ctx: Ctx, v: Val, path: string, sep = '='): { key: string; value: string | null; at: Val | Entry; path: string }[] | undefined {
  const out: { key: string; value: string | null; at: Val | Entry; path: string }[] = [];
  if (v.kind === 'map') {
    for (const e of v.entries) {
      const p = child(path, e.key);
      if (e.value.kind !== 'scalar') {
        ctx.fail(e.value, p, `must be a string, number or boolean, not ${describe(e.value)}`);
        continue;
      }
      const val: Scalar = e.value.value;
      out.push({ key: e.key, value: val === null ? null : typeof val === 'number' ? e.value.source : String(val), at: e, path: p });
    }
    return out;
  }
  if (v.kind === 'seq') {
    v.items.forEach((item, i) => {
      const p = child(path, i);
      const s = asString(ctx, item, p);
      if (s === undefined) return;
      const at = s.indexOf(sep);
      if (at < 0) out.push({ key: s, value: null, at: item, path: p });
      else out.push({ key: s.slice(0, at), value: s.slice(at + sep.length), at: item, path: p });
    });
    return out;
  }
  return ctx.fail(v, path, `must be a mapping or a list of KEY${sep}VALUE, not ${describe(v)}`);
}

/** A Go duration (10s, 1m30s, 500ms) in milliseconds. */
export function asDurationMs(ctx: Ctx, v: Val, path: string): number | undefined {
  const s = asString(ctx, v, path);
  if (s === undefined) return undefined;
  const ms = parseDurationMs(s);
  if (ms === undefined) return ctx.fail(v, path, `${JSON.stringify(s)} is not a duration: write it as 10s, 1m30s or 500ms`);
  return ms;
}

/** A size in bytes: a number, or 512m, 1g…; with `unlimited`, -1 too. */
export function asBytes(ctx: Ctx, v: Val, path: string, opts: { unlimited?: boolean } = {}): number | undefined {
  let n: number | undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number') n = v.value;
  else if (v.kind === 'scalar' && typeof v.value === 'string') n = v.value.trim() === '-1' ? -1 : parseBytes(v.value);
  if (n === undefined || !Number.isInteger(n) || (n < 0 && !(opts.unlimited && n === -1))) {
    return ctx.fail(v, path, `must be a size such as 512m or 1g${opts.unlimited ? ' (or -1 for unlimited)' : ''}`);
  }
  return n;
}

/**
 * File modes as compose writes them: 0440 (octal as written, as compose's YAML reads it), "0440",
 * 0o440, or a plain number. `max`: 0o7777 where the sticky bit makes sense (tmpfs).
 */
export function asFileMode(ctx: Ctx, v: Val, path: string, max = 0o777): number | undefined {
  let n: number | undefined;
  if (v.kind === 'scalar' && typeof v.value === 'number') n = /^0[0-7]+$/.test(v.source) ? parseInt(v.source, 8) : v.value;
  else if (v.kind === 'scalar' && typeof v.value === 'string' && /^(0|0o)?[0-7]{1,4}$/.test(v.value.trim())) n = parseInt(v.value.trim().replace(/^0o/, ''), 8);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) return ctx.fail(v, path, `must be a file mode such as ${max > 0o777 ? '1777' : '0440'}`);
  return n;
}

/** How an object's keys are handled: read, ignored with a reason, or refused with a reason. */
export interface KeyTable {
  supported: readonly string[];
  ignored?: Readonly<Record<string, string>>;
  refused?: Readonly<Record<string, string>>;
}

/**
 * The supported entries of `map` by key. x-* keys are skipped silently, ignored keys reported,
 * refused and unknown keys are errors (an unknown key names the nearest known one).
 */
export function readKeys(ctx: Ctx, map: MapVal, path: string, table: KeyTable, what: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const e of map.entries) {
    const p = child(path, e.key);
    if (e.key.startsWith('x-')) continue;
    if (table.supported.includes(e.key)) out.set(e.key, e);
    else if (table.refused?.[e.key] !== undefined) ctx.fail(e, p, table.refused[e.key] as string);
    else if (table.ignored?.[e.key] !== undefined) ctx.ignore(e, p, table.ignored[e.key] as string);
    else {
      const known = [...table.supported, ...Object.keys(table.ignored ?? {}), ...Object.keys(table.refused ?? {})];
      const near = nearest(e.key, known);
      ctx.fail(e, p, `${JSON.stringify(e.key)} is not a key of ${what} in the Compose Specification${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`);
    }
  }
  return out;
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}
