import { describe, expect, it } from 'vitest';
import { buildBusyboxImage, buildHttpdImage, HTTPD_INDEX } from './busybox.ts';
import { readTar } from './read-tar.ts';
import type { TarEntry } from './read-tar.ts';

interface ConfigJson {
  created: string;
  architecture: string;
  os: string;
  config: { Cmd?: string[]; Env?: string[]; ExposedPorts?: Record<string, object>; Labels?: Record<string, string>; WorkingDir?: string; Entrypoint?: string[] };
  rootfs: { type: string; diff_ids: string[] };
}

function byName(entries: TarEntry[]): Map<string, TarEntry> {
  return new Map(entries.map((e) => [e.header.name, e]));
}

describe('buildBusyboxImage', () => {
  it('is reproducible: the same inputs give the same digests', async () => {
    const opts = { labels: { b: '2', a: '1' }, extraLayers: [[{ path: '/etc/motd', content: 'hi\n' }]] };
    const a = await buildBusyboxImage(opts);
    const b = await buildBusyboxImage(opts);
    expect(b.digest).toBe(a.digest);
    expect(b.id).toBe(a.id);
    expect(b.layers.map((l) => l.blob.digest)).toEqual(a.layers.map((l) => l.blob.digest));
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const other = await buildBusyboxImage({ ...opts, created: '2025-06-01T00:00:00Z' });
    expect(other.digest).not.toBe(a.digest);
  });

  it('holds busybox, applet symlinks and the base directories in one sorted layer', async () => {
    const image = await buildBusyboxImage();
    expect(image.layers).toHaveLength(1);
    const entries = await readTar((image.layers[0] as (typeof image.layers)[number]).blob.data);
    const names = entries.map((e) => e.header.name);
    expect(names).toEqual([...names].sort());
    const files = byName(entries);

    const busybox = files.get('bin/busybox');
    expect(busybox?.header.type).toBe('file');
    expect(busybox?.header.mode).toBe(0o755);
    for (const applet of ['bin/sh', 'bin/ls', 'bin/cat', 'bin/echo', 'bin/sleep', 'usr/sbin/httpd', 'usr/bin/wget', 'usr/bin/id', 'usr/bin/env', 'bin/true', 'bin/false', 'bin/ps', 'bin/mkdir', 'bin/hostname', 'sbin/ip']) {
      expect(files.get(applet)?.header, applet).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
    }
    expect(files.get('tmp/')?.header).toMatchObject({ type: 'directory', mode: 0o1777 });
    for (const dir of ['proc/', 'sys/', 'dev/', 'root/', 'var/www/', 'etc/']) expect(files.get(dir)?.header.type, dir).toBe('directory');
    expect(files.get('etc/passwd')?.data.toString()).toMatch(/^root:x:0:0:.*\nnobody:x:65534:65534:/);
    expect(files.get('etc/group')?.data.toString()).toMatch(/^root:x:0:/m);
    for (const e of entries) {
      expect(e.header.mtime.getTime()).toBe(Date.parse('2024-01-01T00:00:00Z'));
      expect([e.header.uid, e.header.gid]).toEqual([0, 0]);
      expect(e.header.name.startsWith('/') || e.header.name.split('/').includes('..')).toBe(false);
    }
  });

  it('writes the config options and one diff ID per layer', async () => {
    const image = await buildBusyboxImage({
      entrypoint: ['/bin/sh', '-c'],
      cmd: ['echo hi'],
      env: ['PATH=/bin', 'A=b'],
      workingDir: '/tmp',
      exposedPorts: [8080, '53/udp'],
      labels: { z: '1', a: '2' },
      extraLayers: [[{ path: 'etc/motd', content: 'x' }, { path: 'bin/shell', type: 'symlink', target: 'busybox' }]],
    });
    const config = JSON.parse(image.config.data.toString()) as ConfigJson;
    expect(config.os).toBe('linux');
    expect(config.config).toEqual({
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      Env: ['PATH=/bin', 'A=b'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo hi'],
      WorkingDir: '/tmp',
      Labels: { a: '2', z: '1' },
    });
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: image.layers.map((l) => l.diffId) });
    const extra = byName(await readTar((image.layers[1] as (typeof image.layers)[number]).tar));
    expect([...extra.keys()]).toEqual(['bin/', 'bin/shell', 'etc/', 'etc/motd']);
  });

  it('writes HEALTHCHECK as Docker does: config.Healthcheck in nanoseconds', async () => {
    const image = await buildBusyboxImage({ healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 200, retries: 2 } });
    const config = JSON.parse(image.config.data.toString()) as { config: { Healthcheck?: unknown } };
    expect(config.config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Retries: 2 });
    expect(JSON.parse((await buildBusyboxImage()).config.data.toString()).config.Healthcheck).toBeUndefined();
  });

  it('defaults to cmd ["sh"] and the standard PATH', async () => {
    const config = JSON.parse((await buildBusyboxImage()).config.data.toString()) as ConfigJson;
    expect(config.config.Cmd).toEqual(['sh']);
    expect(config.config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  });
});

describe('buildHttpdImage', () => {
  it('serves /var/www on port 80 and shares the busybox base layer', async () => {
    const [httpd, busybox] = await Promise.all([buildHttpdImage(), buildBusyboxImage()]);
    const config = JSON.parse(httpd.config.data.toString()) as ConfigJson;
    expect(config.config.Cmd).toEqual(['httpd', '-f', '-p', '80', '-h', '/var/www']);
    expect(config.config.ExposedPorts).toEqual({ '80/tcp': {} });
    expect(httpd.layers[0]?.blob.digest).toBe(busybox.layers[0]?.blob.digest);
    const top = byName(await readTar((httpd.layers[1] as (typeof httpd.layers)[number]).blob.data));
    expect(top.get('var/www/index.html')?.data.toString()).toBe(HTTPD_INDEX);
    expect(HTTPD_INDEX).toContain('hello from berth');
  });
});
