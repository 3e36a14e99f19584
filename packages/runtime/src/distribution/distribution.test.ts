import { describe, expect, it } from 'vitest';
import { parseChallenges, repositoryScope } from './auth.ts';
import { DOCKER_HUB_SERVER, isInsecureRegistry, registryEndpoints } from './hosts.ts';
import { layerCompression, parseManifest } from './manifest.ts';
import { offeredPlatforms, selectManifest } from './platform.ts';
import type { Descriptor } from './manifest.ts';

const D = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseChallenges', () => {
  it('reads Bearer and Basic challenges with quoted and bare values', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
    expect(parseChallenges('Basic realm="berth-test-registry"')).toEqual([{ scheme: 'basic', params: { realm: 'berth-test-registry' } }]);
    expect(parseChallenges('Bearer realm="a,b", error="insufficient_scope", Basic realm=x')).toEqual([
      { scheme: 'bearer', params: { realm: 'a,b', error: 'insufficient_scope' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(parseChallenges('')).toEqual([]);
  });

  it('names scopes as the token spec does', () => {
    expect(repositoryScope('library/nginx', 'pull')).toBe('repository:library/nginx:pull');
    expect(repositoryScope('a/b', 'push')).toBe('repository:a/b:pull,push');
  });
});

describe('insecure registries and endpoints', () => {
  it.each([
    ['127.0.0.1:5000', [], true],
    ['127.1.2.3', [], true],
    ['localhost:5000', [], true],
    ['[::1]:5000', [], true],
    ['registry.example.com', [], false],
    ['10.1.2.3:5000', [], false],
    ['10.1.2.3:5000', ['10.0.0.0/8'], true],
    ['reg.lan:5000', ['reg.lan:5000'], true],
    ['reg.lan:5000', ['reg.lan'], true],
    ['reg.lan:5001', ['reg.lan:5000'], false],
  ] as const)('%s with %j → %s', (host, list, insecure) => {
    expect(isInsecureRegistry(host, list)).toBe(insecure);
  });

  it('tries docker.io mirrors first for pulls only, and uses https except for insecure registries', () => {
    const config = { registryMirrors: ['https://mirror.example', '127.0.0.1:5001'], mirrors: { 'ghcr.io': ['ghcr-mirror.lan'] } };
    expect(registryEndpoints('docker.io', config, 'pull')).toEqual([
      { url: 'https://mirror.example', mirror: true },
      { url: 'http://127.0.0.1:5001', mirror: true },
      { url: DOCKER_HUB_SERVER, mirror: false },
    ]);
    expect(registryEndpoints('docker.io', config, 'push')).toEqual([{ url: DOCKER_HUB_SERVER, mirror: false }]);
    expect(registryEndpoints('ghcr.io', config, 'pull')).toEqual([
      { url: 'https://ghcr-mirror.lan', mirror: true },
      { url: 'https://ghcr.io', mirror: false },
    ]);
    expect(registryEndpoints('localhost:5000', {}, 'pull')).toEqual([{ url: 'http://localhost:5000', mirror: false }]);
    expect(registryEndpoints('10.0.0.5:5000', { insecureRegistries: ['10.0.0.0/8'] }, 'pull')).toEqual([{ url: 'http://10.0.0.5:5000', mirror: false }]);
  });
});

describe('platform selection', () => {
  const entry = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: D(architecture === 'amd64' ? 'a' : architecture === 'arm64' ? 'b' : variant === 'v6' ? 'c' : 'd'),
    size: 1,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  });
  const index = [entry('arm', 'v6'), entry('amd64'), entry('arm64', 'v8'), entry('arm', 'v7'), { ...entry('unknown', undefined, 'unknown'), digest: D('e') }];

  it('picks the host platform, treating arm64 and arm64/v8 alike and running older arm variants', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'amd64' })?.digest).toBe(D('a'));
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64' })?.digest).toBe(D('b'));
    expect(selectManifest(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe(D('d'));
    expect(selectManifest([entry('arm', 'v6')], { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest).toBe(D('c'));
    expect(selectManifest([entry('arm', 'v7')], { os: 'linux', architecture: 'arm', variant: 'v6' })).toBeNull();
    expect(selectManifest(index, { os: 'linux', architecture: 's390x' })).toBeNull();
  });

  it('lists what an index offers, without attestation entries', () => {
    expect(offeredPlatforms(index)).toEqual(['linux/arm/v6', 'linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
  });
});

describe('parseManifest', () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D('a'), size: 10 },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: D('b'), size: 20 }],
  };

  it('reads Docker schema2 and OCI manifests and indexes', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(manifest)), '')).toMatchObject({ kind: 'manifest', manifest: { layers: [{ digest: D('b') }] } });
    const { mediaType: _m, ...oci } = manifest;
    expect(parseManifest(Buffer.from(JSON.stringify(oci)), 'application/vnd.oci.image.manifest.v1+json').kind).toBe('manifest');
    const list = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [{ ...manifest.config, platform: { os: 'linux', architecture: 'amd64' } }] };
    expect(parseManifest(Buffer.from(JSON.stringify(list)), '').kind).toBe('index');
  });

  it.each([
    ['{', /not valid JSON/],
    ['[]', /not a JSON object/],
    ['{"schemaVersion":1,"fsLayers":[]}', /schema 1 manifests are not supported/],
    [JSON.stringify({ ...manifest, layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }), /layers\[0\]: digest "sha256:zz" is not/],
    [JSON.stringify({ ...manifest, config: { ...manifest.config, size: -1 } }), /config has no valid size/],
    [JSON.stringify({ ...manifest, mediaType: 'text/html' }), /media type "text\/html" is neither/],
  ])('refuses %s', (body, message) => {
    expect(() => parseManifest(Buffer.from(body), '')).toThrow(message);
  });

  it('knows layer compressions by media type', () => {
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar+zstd')).toBe('zstd');
    expect(layerCompression('application/vnd.docker.image.rootfs.diff.tar.gzip')).toBe('gzip');
    expect(layerCompression('application/vnd.oci.image.layer.v1.tar')).toBe('none');
    expect(layerCompression('application/vnd.example.thing')).toBeNull();
  });
});
