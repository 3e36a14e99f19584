// conmon's k8s-file log format (the CRI log format): one line per write,
//   <RFC3339Nano time> <stdout|stderr> <F|P> <content>
// where P marks a partial line the next record of the same stream continues.

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** The timestamp as written, e.g. 2026-11-23T09:36:37.133370708+00:00. */
  time: string;
  /** Nanoseconds since the epoch, for ordering and --since. */
  timeNs: bigint;
  stream: LogStream;
  partial: boolean;
  content: string;
}

/** A whole line of output, partial records joined; `text` ends with "\n" unless the stream stopped mid-line. */
export interface LogEntry {
  time: string;
  timeNs: bigint;
  stream: LogStream;
  text: string;
}

const LINE = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/;

export function parseRecord(line: string): LogRecord | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const [, time = '', stream, tag, content = ''] = m;
  const timeNs = parseTimeNs(time);
  if (timeNs === null) return null;
  return { time, timeNs, stream: stream as LogStream, partial: tag === 'P', content };
}

/** RFC 3339 with up to nanosecond fraction and an offset → ns since the epoch. */
export function parseTimeNs(time: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return null;
  const [, base = '', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${base}${zone}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}

/**
 * Joins partial records into entries, per stream. `pending` carries partials across calls
 * (following a growing file); the entry takes the time of its first record, as Docker does.
 */
export class EntryAssembler {
  readonly #pending = new Map<LogStream, LogEntry>();

  push(record: LogRecord): LogEntry | null {
    const open = this.#pending.get(record.stream);
    const entry = open ?? { time: record.time, timeNs: record.timeNs, stream: record.stream, text: '' };
    entry.text += record.content;
    if (record.partial) {
      this.#pending.set(record.stream, entry);
      return null;
    }
    this.#pending.delete(record.stream);
    entry.text += '\n';
    return entry;
  }

  /** What is left unfinished (the container's last write had no newline). */
  flush(): LogEntry[] {
    const out = [...this.#pending.values()].sort((a, b) => (a.timeNs < b.timeNs ? -1 : 1));
    this.#pending.clear();
    return out;
  }
}

/** All entries of a whole log text, partial lines joined; a trailing partial is kept. */
export function parseLog(text: string): LogEntry[] {
  const asm = new EntryAssembler();
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const r = parseRecord(line);
    if (!r) continue;
    const e = asm.push(r);
    if (e) out.push(e);
  }
  return [...out, ...asm.flush()];
}
