// Compose's durations (Go's time.ParseDuration: 1m30s, 10s, 500ms) and byte sizes (Docker's
// RAMInBytes: 512M, 1g, 1.5GiB, binary multiples).

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;

/** A Go duration in whole milliseconds (rounded), or undefined when `text` is not one. */
export function parseDurationMs(text: string): number | undefined {
  let s = text.trim();
  if (s === '0') return 0;
  if (s === '' || s.startsWith('-')) return undefined;
  if (s.startsWith('+')) s = s.slice(1);
  let total = 0;
  while (s.length > 0) {
    const m = DURATION.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] as number);
    s = s.slice(m[0].length);
  }
  return Math.round(total);
}

const SIZE = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const SIZE_POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/** A size in bytes (512M = 512 MiB), or undefined when `text` is not one. */
export function parseBytes(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const power = m[2] ? (SIZE_POWERS[m[2].toLowerCase()] as number) : 0;
  return Math.floor(Number(m[1]) * 1024 ** power);
}
