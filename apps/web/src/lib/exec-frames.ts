/**
 * The web terminal's websocket protocol (/api/exec). The first message is the request as
 * JSON; then binary messages are keystrokes, text ones control ({"resize"}, {"eof"}). From
 * the server: binary [channel, ...bytes] (1 stdout, 2 stderr), then text {"exit": n} or
 * {"error": msg, "code"} before it closes. An attach ends with {"exit": null} when it was
 * detached rather than ended by the container's exit.
 */
export interface ExecRequest { host: string; id: string; cmd: string[]; tty: { cols: number; rows: number }; interactive: true }

/** `docker attach`: joins the container's main process instead of running a new one. */
export interface AttachRequest { host: string; id: string; attach: true; start: false; stdin: boolean; tty?: { cols: number; rows: number } }

export type ServerFrame =
  | { kind: 'output'; channel: number; bytes: Uint8Array }
  | { kind: 'exit'; code: number | null }
  | { kind: 'error'; message: string; code: string | null }
  | { kind: 'unknown' };

export const execUrl = (loc: { protocol: string; host: string }): string => `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/exec`;

export const resizeMessage = (cols: number, rows: number): string => JSON.stringify({ resize: { cols, rows } });

/** Reads one message from the server: output bytes, the exit code, or the refusal. */
export function decodeServerFrame(data: ArrayBuffer | Uint8Array | string): ServerFrame {
  if (typeof data !== 'string') {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    if (bytes.length === 0) return { kind: 'unknown' };
    return { kind: 'output', channel: bytes[0]!, bytes: bytes.subarray(1) };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return { kind: 'unknown' };
  }
  if (msg && typeof msg === 'object') {
    const m = msg as { exit?: unknown; error?: unknown; code?: unknown };
    if (typeof m.exit === 'number' || m.exit === null) return { kind: 'exit', code: m.exit };
    if (typeof m.error === 'string') return { kind: 'error', message: m.error, code: typeof m.code === 'string' ? m.code : null };
  }
  return { kind: 'unknown' };
}
