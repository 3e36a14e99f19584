// `logs` over a k8s-file log: filtering, tail, since/until, timestamps, follow.
import { open, stat } from 'node:fs/promises';
import { EntryAssembler, parseLog, parseRecord } from './k8s-file.ts';
import type { LogEntry } from './k8s-file.ts';

export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Only the last N entries (after the other filters); undefined = all. */
  tail?: number;
  /** Entries at or after this time. */
  since?: Date;
  /** Entries before this time. */
  until?: Date;
}

export function selectEntries(entries: readonly LogEntry[], opts: LogOptions): LogEntry[] {
  const wantOut = opts.stdout ?? true;
  const wantErr = opts.stderr ?? true;
  const since = opts.since ? BigInt(opts.since.getTime()) * 1_000_000n : null;
  const until = opts.until ? BigInt(opts.until.getTime()) * 1_000_000n : null;
  const picked = entries.filter(
    (e) => (e.stream === 'stdout' ? wantOut : wantErr) && (since === null || e.timeNs >= since) && (until === null || e.timeNs < until),
  );
  if (opts.tail === undefined || opts.tail < 0) return picked;
  return opts.tail === 0 ? [] : picked.slice(-opts.tail);
}

/** Docker's output: the text, prefixed by the RFC 3339 nano time when `timestamps`. */
export function formatEntry(entry: LogEntry, timestamps: boolean): string {
  return timestamps ? `${toRfc3339NanoUtc(entry.timeNs)} ${entry.text}` : entry.text;
}

/** ns since the epoch → 2026-11-23T09:36:37.133370708Z (Docker prints UTC, 9 digits). */
export function toRfc3339NanoUtc(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The entries of the log at `path` as it is now; a missing log is an empty one. */
export async function readLogs(path: string, opts: LogOptions = {}): Promise<LogEntry[]> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return selectEntries(parseLog(text), opts);
}

export interface FollowOptions extends LogOptions {
  /** Stop following once this resolves true (e.g. the container exited) and the file is drained. */
  done?: () => boolean | Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * The existing entries (with tail/since), then new ones as conmon writes them. Survives
 * rotation: conmon replaces the file when it passes --log-size-max, so a new inode or a
 * shorter file means "read the new file from the start". Polls: fs.watch misses renames
 * of a file it watches and is not available on every filesystem.
 */
export async function* followLogs(path: string, opts: FollowOptions = {}): AsyncGenerator<LogEntry> {
  const pollMs = opts.pollMs ?? 100;
  const filter = (e: LogEntry) => selectEntries([e], { ...opts, tail: undefined }).length === 1;
  // The backlog, read in one go so tail applies to it.
  let { ino, offset } = await position(path);
  let backlog = '';
  if (ino !== null) backlog = await readRange(path, 0, offset);
  const cut = backlog.lastIndexOf('\n') + 1;
  const asm = new EntryAssembler();
  const existing: LogEntry[] = [];
  for (const line of backlog.slice(0, cut).split('\n')) {
    const r = line ? parseRecord(line) : null;
    const e = r ? asm.push(r) : null;
    if (e) existing.push(e);
  }
  offset = cut;
  for (const e of selectEntries(existing, opts)) yield e;

  let carry = '';
  for (;;) {
    if (opts.signal?.aborted) return;
    const now = await position(path);
    if (now.ino !== null && (now.ino !== ino || now.offset < offset)) {
      ino = now.ino;
      offset = 0;
      carry = '';
    }
    if (now.ino !== null && now.offset > offset) {
      const chunk = carry + (await readRange(path, offset, now.offset));
      offset = now.offset;
      const end = chunk.lastIndexOf('\n') + 1;
      carry = chunk.slice(end);
      for (const line of chunk.slice(0, end).split('\n')) {
        const r = line ? parseRecord(line) : null;
        const e = r ? asm.push(r) : null;
        if (e && filter(e)) yield e;
      }
      continue;
    }
    if (opts.done && (await opts.done())) {
      // One last look: conmon may have written the final lines just before the exit.
      const last = await position(path);
      if (last.ino === ino && last.offset > offset) continue;
      for (const e of asm.flush()) if (filter(e)) yield e;
      return;
    }
    await sleep(pollMs, opts.signal);
  }
}

async function position(path: string): Promise<{ ino: number | null; offset: number }> {
  try {
    const s = await stat(path);
    return { ino: s.ino, offset: s.size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ino: null, offset: 0 };
    throw err;
  }
}

async function readRange(path: string, start: number, end: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
