// User namespace remapping (dockerd's --userns-remap) on this machine's real runc, conmon,
// overlayfs and cgroups. The range is given to the engine directly, far above any real user's
// ids, so nothing on the host is owned by it but what these tests make. Root only.
import { chmod, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar } from '../snapshots/tar-reader.ts';
import { remapMappings } from '../userns/idmap.ts';
import { volumeDataDir } from './paths.ts';
import { useEngineFixture } from './engine-fixture.ts';
const isRoot = process.getuid?.() === 0;

const START = 1_500_000_000;
const SIZE = 65536;
const mappings = remapMappings({ start: START, size: SIZE }, { start: START, size: SIZE });

describe.skipIf(!isRoot)('user namespace remapping on runc + conmon', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  const f = useEngineFixture();

  async function remapEngine() {
    // mkdtemp made the work dir 0700: a remapped root could not pass it (a state dir under /var/lib can)
    await chmod(f.work, 0o711);
    return f.newEngine({ userns: mappings });
  }

  it('container root is the range start: id -u 0 inside, uid_map shows the range, its files are owned by the range on the host', async () => {
    const engine = await remapEngine();
    const rootfs = await f.busyboxRemapped(mappings);
    const c = await engine.run({ rootfs, config: { cmd: ['sleep', '1000'] } });
    const id = await engine.execCollect(c.id, { cmd: ['id', '-u'] });
    expect(id).toMatchObject({ exitCode: 0, stdout: '0\n' });
    const uidMap = await engine.execCollect(c.id, { cmd: ['cat', '/proc/self/uid_map'] });
    expect(uidMap.stdout.trim().split(/\s+/)).toEqual(['0', String(START), String(SIZE)]);
    const gidMap = await engine.execCollect(c.id, { cmd: ['cat', '/proc/self/gid_map'] });
    expect(gidMap.stdout.trim().split(/\s+/)).toEqual(['0', String(START), String(SIZE)]);
    // the image's files look root-owned inside, and root may write over them (copy-up)
    expect((await engine.execCollect(c.id, { cmd: ['stat', '-c', '%u:%g', '/bin', '/'] })).stdout).toBe('0:0\n0:0\n');
    expect((await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo hi > /created && touch /tmp/app-file && chown 1000:1000 /tmp/app-file'] })).exitCode).toBe(0);
    const upper = join(f.work, 'state/containers', c.id, 'diff');
    const created = await lstat(join(upper, 'created'));
    expect([created.uid, created.gid]).toEqual([START, START]);
    const appFile = await lstat(join(upper, 'tmp/app-file'));
    expect([appFile.uid, appFile.gid]).toEqual([START + 1000, START + 1000]);
    // /etc/hosts and resolv.conf are the container's root's to edit, as without remapping
    expect((await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo "10.0.0.9 extra" >> /etc/hosts && echo "# mine" >> /etc/resolv.conf'] })).exitCode).toBe(0);
    // export shows the container's view of owners (what the image would hold), not the host's
    const chunks: Buffer[] = [];
    await engine.export(c.id, async (b) => {
      chunks.push(b);
    });
    const owners = new Map<string, [number, number]>();
    for await (const e of readTar((async function* () { yield Buffer.concat(chunks); })())) {
      owners.set(e.header.name, [e.header.uid, e.header.gid]);
      for await (const _ of e.body) {
        // skipped
      }
    }
    expect(owners.get('created')).toEqual([0, 0]);
    expect(owners.get('tmp/app-file')).toEqual([1000, 1000]);
    expect(owners.get('bin/busybox')).toEqual([0, 0]);
  });

  it('a host root file bind-mounted in is not writable by the container root (it shows as nobody); a named volume is writable', async () => {
    const engine = await remapEngine();
    const hostDir = join(f.work, 'host');
    await mkdir(hostDir);
    await writeFile(join(hostDir, 'secret'), 'host\n', { mode: 0o644 });
    const rootfs = await f.busyboxRemapped(mappings);
    const c = await engine.run({
      rootfs,
      config: { cmd: ['sleep', '1000'], binds: [{ source: join(hostDir, 'secret'), destination: '/mnt/secret' }], volumes: [{ name: 'data', destination: '/data' }] },
    });
    expect((await engine.execCollect(c.id, { cmd: ['stat', '-c', '%u', '/mnt/secret'] })).stdout).toBe('65534\n');
    const write = await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo pwned >> /mnt/secret'] });
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/Permission denied/i);
    expect(await readFile(join(hostDir, 'secret'), 'utf8')).toBe('host\n');

    expect((await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo kept > /data/file && stat -c %u /data'] })).stdout).toBe('0\n');
    const onHost = await lstat(join(volumeDataDir(join(f.work, 'state'), 'data'), 'file'));
    expect([onHost.uid, onHost.gid]).toEqual([START, START]);
  });

  it('a secret is readable by the remapped user it is given to: its owner shifted into the range on the host', async () => {
    const engine = await remapEngine();
    const files = [{ kind: 'secret' as const, name: 'pw', target: '/run/secrets/pw', uid: 65534, gid: 65534, mode: 0o400 }];
    const c = await engine.run({ rootfs: await f.busyboxRemapped(mappings), config: { cmd: ['sleep', '1000'], files }, fileContents: [Buffer.from('remapped-secret')] });
    expect(await engine.execCollect(c.id, { cmd: ['cat', '/run/secrets/pw'], user: 'nobody' })).toMatchObject({ exitCode: 0, stdout: 'remapped-secret' });
    expect((await engine.execCollect(c.id, { cmd: ['stat', '-c', '%u %a', '/run/secrets/pw'] })).stdout).toBe('65534 400\n');
    const onHost = await lstat(join(f.work, 'state/containers', c.id, 'secrets', '0'));
    expect([onHost.uid, onHost.gid]).toEqual([START + 65534, START + 65534]);
  });

  it('memory and pids limits still apply in the cgroup', async () => {
    const engine = await remapEngine();
    const c = await engine.run({ rootfs: await f.busyboxRemapped(mappings), config: { cmd: ['sleep', '1000'], resources: { memory: 64 * 1024 * 1024, pidsLimit: 50 } } });
    expect((await readFile(join(f.layout.v1.memory ?? '', f.parent, c.id, 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(64 * 1024 * 1024));
    expect((await readFile(join(f.layout.v1.pids ?? '', f.parent, c.id, 'pids.max'), 'utf8')).trim()).toBe('50');
    // the container's root cannot lift its own limit: the cgroup files are the host's
    const lift = await engine.execCollect(c.id, { cmd: ['sh', '-c', 'echo -1 > /sys/fs/cgroup/memory/memory.limit_in_bytes'] });
    expect(lift.exitCode).not.toBe(0);
  });

  it('--userns=host runs one container with the host ids; --privileged is refused without it', async () => {
    const engine = await remapEngine();
    const rootfs = await f.busyboxRemapped(mappings);
    const c = await engine.run({ rootfs, config: { cmd: ['sleep', '1000'], usernsMode: 'host' } });
    expect((await engine.execCollect(c.id, { cmd: ['cat', '/proc/self/uid_map'] })).stdout.trim().split(/\s+/)).toEqual(['0', '0', '4294967295']);
    expect(engine.inspect(c.id).userns).toBeUndefined();
    await expect(engine.run({ rootfs, config: { cmd: ['true'], privileged: true } })).rejects.toThrow(/privileged mode is incompatible with user namespaces: .*--userns=host/);
    // nothing of the refused one stays
    expect(engine.list().map((r) => r.id)).toEqual([c.id]);
  });

  it('--network host works remapped: the host\'s /sys is bound read-only (a fresh sysfs is refused there)', async () => {
    const engine = await remapEngine();
    const c = await engine.run({ rootfs: await f.busyboxRemapped(mappings), config: { cmd: ['sleep', '1000'], networkMode: 'host' } });
    const out = await engine.execCollect(c.id, { cmd: ['sh', '-c', 'cat /proc/self/uid_map; ls /sys/class/net/lo >/dev/null && echo has-lo; touch /sys/x 2>&1 || echo ro'] });
    expect(out.stdout.split('\n')[0]?.trim().split(/\s+/)).toEqual(['0', String(START), String(SIZE)]);
    expect(out.stdout).toContain('has-lo');
    expect(out.stdout).toContain('ro');
  });

  it('a remapped container outlives the engine: a new one adopts it, still in its namespace', async () => {
    const first = await remapEngine();
    const c = await first.run({ rootfs: await f.busyboxRemapped(mappings), config: { cmd: ['sleep', '1000'] } });
    await first.close();
    f.forget(first);
    const second = await f.newEngine({ userns: mappings });
    expect(second.inspect(c.id).state.status).toBe('running');
    expect(second.inspect(c.id).userns).toEqual(mappings);
    expect((await second.execCollect(c.id, { cmd: ['cat', '/proc/self/uid_map'] })).stdout.trim().split(/\s+/)).toEqual(['0', String(START), String(SIZE)]);
    await second.stop(c.id, { timeoutSec: 1 });
    expect(second.inspect(c.id).state.status).toBe('exited');
  });

  it('refuses to start remapping under a state dir others cannot pass, saying which dir', async () => {
    await chmod(f.work, 0o700);
    await expect(f.newEngine({ userns: mappings })).rejects.toThrow(`${f.work} (mode 700) does not let other users pass`);
  });
});
