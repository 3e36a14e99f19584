import WebSocket from 'ws';
import { controlPlane } from '../client.ts';
import type { CliEnv } from '../env.ts';
import { UserError } from '../errors.ts';

export interface ExecSessionRequest {
  kind?: 'exec';
  host: string;
  id: string;
  cmd: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  interactive: boolean;
  tty: boolean;
}

/** `berth attach`, and the attached part of `run -i/-t` and `start -a` (with `start`). */
export interface AttachSessionRequest {
  kind: 'attach';
  host: string;
  id: string;
  start: boolean;
  /** Send this terminal's input to the container (it was created with -i). */
  interactive: boolean;
  tty: boolean;
  /** Called when the user detached (the container keeps running). */
  onDetach?: () => void;
}

/** Docker's default detach keys: ctrl-p ctrl-q. */
const DETACH = Buffer.from([0x10, 0x11]);

interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * `berth exec -it` and `berth attach`: a terminal session over the gateway's /api/exec
 * websocket. The local terminal goes raw so that every key (^C included) reaches the
 * container, its size follows the window, and it is restored however the session ends.
 * Resolves with the exit code; an attach left with ctrl-p ctrl-q resolves 0, the container running.
 */
export async function runExecSession(env: CliEnv, req: ExecSessionRequest | AttachSessionRequest, term: Terminal = process): Promise<number> {
  const { url, token } = await controlPlane(env);
  if (req.tty && !term.stdin.isTTY) throw new UserError('the input device is not a TTY: drop -t, or run berth from a terminal');
  const size = () => ({ cols: term.stdout.columns || 80, rows: term.stdout.rows || 24 });
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/exec`, { headers: { authorization: `Bearer ${token}`, 'x-berth-client': 'cli' } });
  const raw = req.tty && term.stdin.isTTY;
  const restore = () => {
    if (raw) term.stdin.setRawMode(false);
    term.stdin.pause();
  };
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      restore();
      term.stdout.off('resize', onResize);
      f();
    };
    const onResize = () => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ resize: size() }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => finish(() => reject(new UserError(res.statusCode === 401 ? `not signed in: ${body.trim()}` : `the control plane refused the terminal (${res.statusCode}): ${body.trim()}`))));
    });
    ws.on('error', (err: NodeJS.ErrnoException) =>
      finish(() => reject(err.code === 'ECONNREFUSED' ? new UserError('cannot reach the control plane: is it running? (./berth up -d)') : err)));
    ws.on('open', () => {
      const tty = req.tty ? { tty: size() } : {};
      ws.send(
        JSON.stringify(
          req.kind === 'attach'
            ? { host: req.host, id: req.id, attach: true, start: req.start, stdin: req.interactive, ...tty }
            : { host: req.host, id: req.id, cmd: req.cmd, env: req.env ?? [], ...(req.user ? { user: req.user } : {}), ...(req.workingDir ? { workingDir: req.workingDir } : {}), interactive: req.interactive, ...tty },
        ),
      );
      if (raw) term.stdin.setRawMode(true);
      let previous = 0;
      if (req.interactive) {
        term.stdin.on('data', (d: Buffer) => {
          // ctrl-p ctrl-q on a terminal detaches from an attached container, as docker's does
          if (req.kind === 'attach' && raw && ((previous === DETACH[0] && d[0] === DETACH[1]) || d.includes(DETACH))) {
            finish(() => resolve(0));
            req.onDetach?.();
            ws.close(1000);
            return;
          }
          previous = d[d.length - 1] ?? 0;
          if (ws.readyState === ws.OPEN) ws.send(d);
        });
        term.stdin.on('end', () => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ eof: true })));
        term.stdin.resume();
      }
      if (req.tty) term.stdout.on('resize', onResize);
    });
    ws.on('message', (data: Buffer, binary) => {
      if (binary) {
        (data[0] === 2 ? term.stderr : term.stdout).write(data.subarray(1));
        return;
      }
      const msg = JSON.parse(data.toString()) as { exit?: number | null; error?: string };
      if (typeof msg.exit === 'number') finish(() => resolve(msg.exit as number));
      else if (msg.exit === null) finish(() => resolve(0));
      else if (msg.error) finish(() => reject(new UserError(msg.error!)));
    });
    ws.on('close', () => finish(() => reject(new UserError('the terminal session ended before the command did (connection closed)'))));
  });
}
