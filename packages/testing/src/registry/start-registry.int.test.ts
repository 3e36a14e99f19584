import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registryConfigYaml } from './config.ts';
import { startRegistry } from './start-registry.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRegistry', () => {
  it('serves /v2/ on 127.0.0.1 and stop() kills it and removes its storage', async () => {
    const registry = await startRegistry();
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${registry.host}`);
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(existsSync(registry.storageDir)).toBe(true);
    expect(alive(registry.pid)).toBe(true);

    await registry.stop();
    expect(alive(registry.pid)).toBe(false);
    expect(existsSync(registry.storageDir)).toBe(false);
    await registry.stop();
  });

  it('runs two registries side by side on different ports', async () => {
    const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    try {
      expect(a.host).not.toBe(b.host);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('asks for Basic auth when started with htpasswd', async () => {
    const registry = await startRegistry({ htpasswd: { username: 'u', password: 'p' } });
    try {
      const anonymous = await fetch(`${registry.url}/v2/`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      const authed = await fetch(`${registry.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
      expect(authed.status).toBe(200);
    } finally {
      await registry.stop();
    }
  });

  it('says how to install docker-registry when it is missing', async () => {
    await expect(startRegistry({ binary: 'berth-no-such-registry' })).rejects.toThrow(
      'docker-registry is not installed: run `apt-get install docker-registry` (./berth test installs it)',
    );
  });

  it('quotes paths in the config', () => {
    const yaml = registryConfigYaml({ storageDir: '/tmp/a "b"', addr: '127.0.0.1:5000', htpasswdPath: '/tmp/h' });
    expect(yaml).toContain('rootdirectory: "/tmp/a \\"b\\""');
    expect(yaml).toMatch(/auth:\n {2}htpasswd:\n {4}realm: "berth-test-registry"\n {4}path: "\/tmp\/h"/);
  });
});
