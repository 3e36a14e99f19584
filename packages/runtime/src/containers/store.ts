// container.json on disk: one file per container, written atomically (temp file + rename)
// so a crash leaves either the old record or the new one.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContainerRecord } from './config.ts';
import { ID_PATTERN } from './names.ts';

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export async function saveRecord(path: string, record: ContainerRecord): Promise<void> {
  await writeJsonAtomic(path, record);
}

/** Every record under <containersDir>/<id>/container.json; unreadable ones are reported, not fatal. */
export async function loadRecords(containersDir: string): Promise<{ records: ContainerRecord[]; errors: string[] }> {
  const records: ContainerRecord[] = [];
  const errors: string[] = [];
  let ids: string[];
  try {
    ids = await readdir(containersDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records, errors };
    throw err;
  }
  for (const id of ids) {
    if (!ID_PATTERN.test(id)) continue;
    const path = join(containersDir, id, 'container.json');
    try {
      const record = JSON.parse(await readFile(path, 'utf8')) as ContainerRecord;
      if (record.id !== id) throw new Error(`holds id ${record.id}`);
      records.push(record);
    } catch (err) {
      // A container whose create never finished has no record yet: its dir is left to rm.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      errors.push(`${path}: ${(err as Error).message}`);
    }
  }
  return { records, errors };
}
