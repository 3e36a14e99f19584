import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What a detached `berth up` left running, so that `berth down` can stop it. */
export interface RunState {
  gateway?: number;
  agent?: number;
  postgres?: number;
  url: string;
}

const file = (dir: string) => join(dir, 'run.json');

export async function readRunState(dir: string): Promise<RunState | null> {
  try {
    return JSON.parse(await readFile(file(dir), 'utf8')) as RunState;
  } catch {
    return null;
  }
}

export const writeRunState = (dir: string, s: RunState) => writeFile(file(dir), JSON.stringify(s, null, 2) + '\n', { mode: 0o600 });
export const clearRunState = (dir: string) => rm(file(dir), { force: true });
