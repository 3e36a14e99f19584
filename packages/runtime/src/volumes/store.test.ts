import { lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VolumeStore } from './store.ts';

describe('named volumes', () => {
  let dir: string;
  let store: VolumeStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-volumes-'));
    store = new VolumeStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.skipIf(process.getuid?.() !== 0)('under remapping, a new volume belongs to the remapped root and an existing one keeps its owner', async () => { // skipped unless root: only root can chown to another uid
    const owner = { uid: 1_700_000_000, gid: 1_700_000_000 };
    const plain = await store.create({ name: 'before' });
    const remapped = new VolumeStore(dir, { owner });
    const v = await remapped.create({ name: 'made' });
    const st = await lstat(v.mountpoint);
    expect([st.uid, st.gid]).toEqual([owner.uid, owner.gid]);
    await remapped.create({ name: 'before' });
    const kept = await lstat(plain.mountpoint);
    expect([kept.uid, kept.gid]).toEqual([0, 0]);
  });

  it('creates, lists, inspects; creating an existing name keeps its data', async () => {
    const v = await store.create({ name: 'data', labels: { team: 'web' } });
    expect(v).toMatchObject({ name: 'data', driver: 'local', mountpoint: join(dir, 'volumes/data/_data'), labels: { team: 'web' }, anonymous: false });
    await writeFile(join(v.mountpoint, 'keep'), 'x');
    expect(await store.create({ name: 'data' })).toEqual(v);
    const anon = await store.create();
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.list()).map((x) => x.name).sort()).toEqual([anon.name, 'data'].sort());
  });

  it('sees volumes the engine made on first use', async () => {
    await mkdir(join(dir, 'volumes/cache/_data'), { recursive: true });
    expect(await store.inspect('cache')).toMatchObject({ name: 'cache', anonymous: false });
  });

  it('refuses to remove a volume in use, naming the container; prune spares named volumes unless all', async () => {
    await store.create({ name: 'data' });
    const anon = await store.create();
    await expect(store.remove('data', () => ['web'])).rejects.toThrow('remove data: volume is in use - [web]');
    await expect(store.inspect('nope')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.create({ name: '../etc' })).rejects.toMatchObject({ code: 'invalid' });
    expect(await store.prune(() => [])).toEqual([anon.name]);
    expect(await store.prune((n) => (n === 'data' ? ['web'] : []), { all: true })).toEqual([]);
    await store.remove('data', () => []);
    expect(await store.list()).toEqual([]);
  });
});
