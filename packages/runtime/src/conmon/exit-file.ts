// conmon's exit files: <exitDir>/<id> holds the container's exit code (128+n for signal n).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExitFile {
  exitCode: number;
  /** When conmon wrote it: the container's finish time, even if nobody was watching. */
  finishedAt: Date;
}

/** The exit file of `id`, or null while the container has not exited. */
export async function readExitFile(exitDir: string, id: string): Promise<ExitFile | null> {
  const path = join(exitDir, id);
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    // conmon creates then writes: an empty file is an exit being recorded.
    if (text.trim() === '') return null;
    const exitCode = Number.parseInt(text.trim(), 10);
    if (Number.isNaN(exitCode)) throw new Error(`exit file ${path} holds "${text.trim()}", not an exit code`);
    return { exitCode, finishedAt: st.mtime };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
