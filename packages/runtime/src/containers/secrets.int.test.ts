// A service's secrets and configs in a real container: files in memory, read-only, owned and
// moded as asked, never in the record; gone with the container. Root only.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMountPoint } from '../rootfs/overlay.ts';
import type { FileMountConfig } from './config.ts';
import { useEngineFixture } from './engine-fixture.ts';
const isRoot = process.getuid?.() === 0;

const mountinfo = () => readFile('/proc/self/mountinfo', 'utf8');

describe.skipIf(!isRoot)('secrets and configs in containers', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  const f = useEngineFixture();

  const files: FileMountConfig[] = [
    { kind: 'secret', name: 'db_password', target: '/run/secrets/db_password', uid: 0, gid: 0, mode: 0o400 },
    { kind: 'config', name: 'app_conf', target: '/etc/app.conf', uid: 65534, gid: 65534, mode: 0o444 },
  ];
  const contents = [Buffer.from('s3cr3t-value\n'), Buffer.from('level=debug\n')];

  it('are files at their targets with their owners and modes, read-only, on a tmpfs; the record and the bundle on disk hold no content; rm unmounts them', async () => {
    const engine = await f.newEngine();
    const c = await engine.run({ rootfs: f.busybox(), config: { cmd: ['sleep', '1000'], files }, fileContents: contents });
    const exec = (cmd: string[]) => engine.execCollect(c.id, { cmd });
    expect((await exec(['cat', '/run/secrets/db_password'])).stdout).toBe('s3cr3t-value\n');
    expect((await exec(['cat', '/etc/app.conf'])).stdout).toBe('level=debug\n');
    expect((await exec(['stat', '-c', '%a %u %g', '/run/secrets/db_password', '/etc/app.conf'])).stdout).toBe('400 0 0\n444 65534 65534\n');
    // read-only even for the container's root
    const write = await exec(['sh', '-c', 'echo x > /run/secrets/db_password']);
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/read-only/i);

    const bundle = join(f.work, 'state/containers', c.id);
    expect(isMountPoint(await mountinfo(), join(bundle, 'secrets'))).toBe(true);
    const record = await readFile(join(bundle, 'container.json'), 'utf8');
    expect(record).toContain('db_password');
    expect(record).not.toContain('s3cr3t-value');
    expect(await readFile(join(bundle, 'config.json'), 'utf8')).not.toContain('s3cr3t-value');
    expect(engine.inspect(c.id).config.files).toEqual(files);

    await engine.remove(c.id, { force: true });
    expect(isMountPoint(await mountinfo(), join(bundle, 'secrets'))).toBe(false);
    expect(await readdir(join(f.work, 'state/containers'))).toEqual([]);
  });

  it('a stopped container starts again with them; once they are lost (the tmpfs gone, as after a reboot) start says so and the container stays as it was', async () => {
    const engine = await f.newEngine();
    const c = await engine.run({ rootfs: f.busybox(), config: { cmd: ['cat', '/run/secrets/db_password'], files: files.slice(0, 1) }, fileContents: contents.slice(0, 1) });
    await engine.wait(c.id);
    await engine.start(c.id);
    await engine.wait(c.id);
    expect((await engine.logs(c.id)).map((e) => e.text)).toEqual(['s3cr3t-value\n', 's3cr3t-value\n']);

    const { hostExec } = await import('../sys/exec.ts');
    await hostExec().run(['umount', join(f.work, 'state/containers', c.id, 'secrets')]);
    await expect(engine.start(c.id)).rejects.toThrow(/secrets and configs were kept in memory and are gone/);
    expect(engine.inspect(c.id).state.status).toBe('exited');
  });

  it('a bad request makes nothing: contents missing, a relative target, two at one path', async () => {
    const engine = await f.newEngine();
    await expect(engine.create({ rootfs: f.busybox(), config: { cmd: ['true'], files } })).rejects.toThrow(/2 secret files were described but 0 contents given/);
    await expect(engine.create({ rootfs: f.busybox(), config: { cmd: ['true'], files: [{ ...files[0]!, target: 'x' }] }, fileContents: contents.slice(0, 1) })).rejects.toThrow(/relative target/);
    await expect(engine.create({ rootfs: f.busybox(), config: { cmd: ['true'], files: [files[0]!, { ...files[1]!, target: files[0]!.target }] }, fileContents: contents })).rejects.toThrow(/two secrets or configs are mounted at \/run\/secrets\/db_password/);
    expect(engine.list()).toEqual([]);
    expect((await mountinfo()).includes(f.work)).toBe(false);
  });
});
