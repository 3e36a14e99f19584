import { ContainerCreate } from '@berth/protocol';
import { describe, expect, it } from 'vitest';
import { parseVolumeSpec, toContainerConfig } from './run-config.ts';

describe('-v as docker reads it', () => {
  it('tells host paths, named volumes and anonymous volumes apart', () => {
    expect(parseVolumeSpec('/srv/www:/usr/share/www:ro', 'k')).toEqual({ bind: { source: '/srv/www', destination: '/usr/share/www', readonly: true } });
    expect(parseVolumeSpec('data:/data', 'k')).toEqual({ volume: { name: 'data', destination: '/data', readonly: false } });
    const anon = parseVolumeSpec('/cache', 'k').volume!;
    expect(anon.destination).toBe('/cache');
    expect(anon.name).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses what docker refuses, saying what was wrong', () => {
    expect(() => parseVolumeSpec('data:relative', 'k')).toThrow(/must be an absolute path/);
    expect(() => parseVolumeSpec('a:/b:rx', 'k')).toThrow(/invalid volume mode "rx"/);
    expect(() => parseVolumeSpec('$(rm -rf):/x', 'k')).toThrow(/invalid volume name/);
    expect(() => parseVolumeSpec('a:b:c:d', 'k')).toThrow(/invalid volume specification/);
  });
});

describe('run flags to engine config', () => {
  it('maps limits, mounts and policies', () => {
    const spec = ContainerCreate.parse({ image: 'busybox', binds: ['data:/data'], tmpfs: { '/run': 'size=64m,mode=1777' }, memory: 64 * 2 ** 20, cpus: 1.5, restartPolicy: { name: 'on-failure', maximumRetryCount: 3 } });
    const c = toContainerConfig(spec, 'k');
    expect(c.volumes).toEqual([{ name: 'data', destination: '/data', readonly: false }]);
    expect(c.tmpfs).toEqual([{ destination: '/run', options: ['size=64m', 'mode=1777'] }]);
    expect(c.resources).toEqual({ memory: 64 * 2 ** 20, nanoCpus: 1_500_000_000 });
    expect(c.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
  });

  it('carries the healthcheck, and refuses a malformed test or NONE with other health options', () => {
    expect(toContainerConfig(ContainerCreate.parse({ image: 'b', healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 200 } }), 'k').healthcheck).toEqual({ test: ['CMD-SHELL', 'true'], intervalMs: 200 });
    expect(toContainerConfig(ContainerCreate.parse({ image: 'b', healthcheck: { retries: 5 } }), 'k').healthcheck).toEqual({ retries: 5 });
    expect(toContainerConfig(ContainerCreate.parse({ image: 'b' }), 'k').healthcheck).toBeUndefined();
    expect(() => toContainerConfig(ContainerCreate.parse({ image: 'b', healthcheck: { test: ['curl', 'x'] } }), 'k')).toThrow('invalid healthcheck test ["curl","x"]: the test must start with NONE, CMD or CMD-SHELL, not "curl"');
    expect(() => toContainerConfig(ContainerCreate.parse({ image: 'b', healthcheck: { test: ['NONE'], intervalMs: 5 } }), 'k')).toThrow('--no-healthcheck conflicts with --health-* options');
  });

  it('refuses conflicting flags', () => {
    expect(() => toContainerConfig(ContainerCreate.parse({ image: 'b', autoRemove: true, restartPolicy: { name: 'always' } }), 'k')).toThrow('Conflicting options: --restart and --rm');
    expect(() => toContainerConfig(ContainerCreate.parse({ image: 'b', binds: ['data:/x', '/tmp:/x'] }), 'k')).toThrow('Duplicate mount point: /x');
    expect(() => toContainerConfig(ContainerCreate.parse({ image: 'b', memory: 10_000_000, memorySwap: 5_000_000 }), 'k')).toThrow(/memoryswap/);
  });
});
