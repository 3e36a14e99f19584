// Named volumes as Docker's "local" driver keeps them: <stateDir>/volumes/<name>/_data holds the
// data, <stateDir>/volumes/<name>/volume.json the metadata. Containers bind-mount _data.
import { randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface Volume {
  name: string;
  driver: 'local';
  mountpoint: string;
  createdAt: string;
  labels: Record<string, string>;
  /** true for volumes docker would call anonymous: named by the engine, not the user */
  anonymous: boolean;
}

export type VolumeErrorCode = 'not-found' | 'conflict' | 'invalid';

export class VolumeError extends Error {
  override readonly name = 'VolumeError';
  constructor(readonly code: VolumeErrorCode, message: string) {
    super(message);
  }
}

/**
 * Makes a volume's _data directory if missing. A new one is given to `owner`: under user
 * namespace remapping the container's root (as dockerd's volumes under its remapped root),
 * so that it can write there. One that exists keeps its owner.
 */
export async function makeVolumeData(dataDir: string, owner?: { uid: number; gid: number }): Promise<void> {
  const made = await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (made !== undefined && owner) await chown(dataDir, owner.uid, owner.gid);
}

/** Which containers use a volume (names), so that rm can refuse and say which. */
export type VolumeUsers = (volume: string) => string[];

export class VolumeStore {
  readonly root: string;
  readonly #owner: { uid: number; gid: number } | undefined;

  /** `owner`: who new volumes' data belongs to (the remapped root under BERTH_USERNS_REMAP). */
  constructor(stateDir: string, opts: { owner?: { uid: number; gid: number } } = {}) {
    this.root = join(stateDir, 'volumes');
    this.#owner = opts.owner;
  }

  #dir(name: string): string {
    if (!VOLUME_NAME.test(name)) throw new VolumeError('invalid', `invalid volume name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    return join(this.root, name);
  }

  /** `docker volume create [NAME]`: an existing volume of that name is returned as it is. */
  async create(o: { name?: string; labels?: Record<string, string>; anonymous?: boolean } = {}): Promise<Volume> {
    const name = o.name ?? randomBytes(32).toString('hex');
    const dir = this.#dir(name);
    const existing = await this.#read(name);
    if (existing) return existing;
    await makeVolumeData(join(dir, '_data'), this.#owner);
    const v: Volume = { name, driver: 'local', mountpoint: join(dir, '_data'), createdAt: new Date().toISOString(), labels: o.labels ?? {}, anonymous: o.anonymous ?? o.name === undefined };
    const tmp = join(dir, `.volume.json.${process.pid}`);
    await writeFile(tmp, JSON.stringify(v));
    await rename(tmp, join(dir, 'volume.json'));
    return v;
  }

  /** A volume the engine made on first use (`-v data:/data`) has no metadata yet: it gets some. */
  async #read(name: string): Promise<Volume | null> {
    const dir = this.#dir(name);
    try {
      return JSON.parse(await readFile(join(dir, 'volume.json'), 'utf8')) as Volume;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const st = await lstat(join(dir, '_data')).catch(() => null);
    if (!st?.isDirectory()) return null;
    return { name, driver: 'local', mountpoint: join(dir, '_data'), createdAt: st.birthtime.toISOString(), labels: {}, anonymous: /^[0-9a-f]{64}$/.test(name) };
  }

  async inspect(name: string): Promise<Volume> {
    const v = await this.#read(name);
    if (!v) throw new VolumeError('not-found', `no such volume: ${name}`);
    return v;
  }

  async list(): Promise<Volume[]> {
    const names = await readdir(this.root).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    const out: Volume[] = [];
    for (const n of names.filter((n) => VOLUME_NAME.test(n)).sort()) {
      const v = await this.#read(n);
      if (v) out.push(v);
    }
    return out;
  }

  /** `docker volume rm`: refused while a container uses it, even stopped ones, unless forced by the caller's removal of them. */
  async remove(name: string, users: VolumeUsers): Promise<void> {
    await this.inspect(name);
    const by = users(name);
    if (by.length) throw new VolumeError('conflict', `remove ${name}: volume is in use - [${by.join(', ')}]`);
    await rm(this.#dir(name), { recursive: true, force: true });
  }

  /** `docker volume prune [-a]`: unused anonymous volumes, or every unused one with all. */
  async prune(users: VolumeUsers, o: { all?: boolean } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const v of await this.list()) {
      if ((o.all || v.anonymous) && users(v.name).length === 0) {
        await rm(this.#dir(v.name), { recursive: true, force: true });
        removed.push(v.name);
      }
    }
    return removed;
  }
}
