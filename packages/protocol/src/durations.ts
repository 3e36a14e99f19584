// Go's duration syntax (time.ParseDuration), as docker's --health-* flags and compose take it:
// "500ms", "30s", "1m30s", "1.5h". Parsed once here for the CLI and the dashboard's run form.

export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * A positive Go duration in whole milliseconds (the protocol's unit). `what` names the flag in
 * the error ("--health-interval"). Zero, negatives, bare numbers, unknown units and anything
 * under a millisecond are refused with one message saying what to write instead.
 */
export function parseGoDuration(text: string, what = 'duration'): number {
  const s = text.trim();
  const refuse = (why: string) => new DurationError(`invalid ${what} ${JSON.stringify(text)}: ${why}; use a positive duration such as 500ms, 30s or 1m30s`);
  if (s === '') throw refuse('it is empty');
  if (s.startsWith('-')) throw refuse('it is negative');
  // Go's one unitless duration
  if (/^\+?0+$/.test(s)) throw refuse('it is zero');
  let ms = 0;
  let at = s.startsWith('+') ? 1 : 0;
  if (at === s.length) throw refuse('it has no number');
  while (at < s.length) {
    PART.lastIndex = at;
    const m = PART.exec(s);
    if (!m) throw refuse(/^\d+(\.\d*)?$/.test(s.slice(at)) ? 'it has no unit (ms, s, m or h)' : 'it is not a duration');
    ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = PART.lastIndex;
  }
  if (ms === 0) throw refuse('it is zero');
  const whole = Math.round(ms);
  if (whole < 1) throw refuse('it is under a millisecond');
  if (!Number.isSafeInteger(whole)) throw refuse('it is too long');
  return whole;
}

/** Milliseconds as Go prints a time.Duration: 200ms, 1.5s, 1m30s, 1h0m0s, 0s. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatGoDuration(-ms)}`;
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = `${Number(((ms % 60_000) / 1000).toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}
