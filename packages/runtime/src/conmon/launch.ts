// Starting conmon detached, and learning the container's pid (or why it failed) from
// conmon's sync pipe: with _OCI_SYNCPIPE=<fd>, conmon writes {"data": <pid>} once the
// runtime created the container, or a negative "data" with a "message" when it failed.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ConmonLaunch {
  conmonPath: string;
  argv: string[];
  /** File conmon's own stderr goes to (it outlives us, so not a pipe). */
  stderrFile: string;
  /** Environment for conmon and the runtime it runs; nothing is inherited. */
  env: Record<string, string>;
  timeoutMs?: number;
}

export type ConmonResult = { ok: true; pid: number } | { ok: false; message: string };

/** The one process berth spawns that stays around; a double stands in for it in unit tests. */
export interface ConmonLauncher {
  launch(l: ConmonLaunch): Promise<ConmonResult>;
}

/** Parses sync-pipe text: the first complete JSON line. */
export function parseSyncMessage(text: string): ConmonResult | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined || !text.includes('\n')) return null;
  const msg = JSON.parse(line) as { data?: unknown; message?: unknown };
  const data = typeof msg.data === 'number' ? msg.data : Number.NaN;
  if (data > 0) return { ok: true, pid: data };
  return { ok: false, message: typeof msg.message === 'string' && msg.message ? msg.message : `conmon reported ${String(msg.data)}` };
}

const SYNC_FD = 3;

export function hostConmonLauncher(): ConmonLauncher {
  return {
    launch(l) {
      return new Promise((resolve, reject) => {
        const err = openSync(l.stderrFile, 'a');
        // setsid (detached) and unref: conmon and the container outlive this process.
        const child = spawn(l.conmonPath, l.argv, {
          stdio: ['ignore', 'ignore', err, 'pipe'],
          env: { ...l.env, _OCI_SYNCPIPE: String(SYNC_FD) },
          detached: true,
        });
        closeSync(err);
        const pipe = child.stdio[SYNC_FD];
        let text = '';
        let settled = false;
        const finish = (r: ConmonResult | Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // conmon keeps its end open until the container exits: let go of ours.
          pipe?.destroy();
          child.unref();
          if (r instanceof Error) reject(r);
          else resolve(r);
        };
        const timer = setTimeout(() => finish(new Error(`conmon did not report the container within ${l.timeoutMs ?? 30_000} ms (its stderr: ${l.stderrFile})`)), l.timeoutMs ?? 30_000);
        child.once('error', (e) => finish(new Error(`cannot start conmon ${l.conmonPath}: ${e.message}; apt-get install conmon`)));
        pipe?.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          try {
            const r = parseSyncMessage(text);
            if (r) finish(r);
          } catch (e) {
            finish(new Error(`conmon wrote an unreadable sync message "${text.trim()}": ${(e as Error).message}`));
          }
        });
        pipe?.on('end', () => finish({ ok: false, message: text.trim() || `conmon closed its sync pipe without a pid (see ${l.stderrFile})` }));
        pipe?.on('error', () => undefined);
      });
    },
  };
}
