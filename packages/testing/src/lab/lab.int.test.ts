import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { listIpv4Addresses, listLinks, listNetns } from './ip.ts';
import { buildLab, createLab } from './lab.ts';
import type { Lab } from './lab.ts';
import { labNames } from './naming.ts';
import { isAlive, readMarker } from './owner.ts';
import { sweepStaleLabs } from './sweep.ts';
import { useLab } from './vitest.ts';

// Lab hosts have no route beyond the lab, and a proxy from the environment would be unreachable.
const noProxy = { http_proxy: '', https_proxy: '', HTTP_PROXY: '', HTTPS_PROXY: '' };

// Debian's busybox-static 1.35 wget has no -T (passing it segfaults), so exec's own timeout
// bounds a fetch into a partition: SIGKILL after 3 s.
function wget(lab: Lab, from: string, url: string) {
  return lab.host(from).exec(['busybox', 'wget', '-qO-', url], { env: noProxy, timeoutMs: 3_000 });
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every name of a lab that could be left on the machine. */
function leftovers(lab: Pick<Lab, 'id' | 'bridge' | 'rootDir'>): string[] {
  const names = labNames(lab.id);
  return [
    ...listNetns().filter((ns) => ns.startsWith(names.hostPrefix)),
    ...listLinks().filter((l) => l.startsWith(names.linkPrefix)),
    ...(existsSync(lab.rootDir) ? [lab.rootDir] : []),
    ...(existsSync(names.marker) ? [names.marker] : []),
  ];
}

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined || isAlive(child.pid)) throw new Error('could not get a dead pid');
  return child.pid;
}

describe('lab of two hosts', () => {
  const getLab = useLab(2, { name: 'lab-int-test' });
  const site = mkdtempSync(join(tmpdir(), 'berth-lab-site-'));
  writeFileSync(join(site, 'index.html'), 'hello from h1\n');
  afterAll(() => rmSync(site, { recursive: true, force: true }));

  it('gives each host its own netns with only lo and eth0, and its address', () => {
    const lab = getLab();
    expect(lab.hosts.map((h) => h.name)).toEqual(['h1', 'h2']);
    expect(lab.gateway).toMatch(/^10\.213\.\d+\.1$/);
    for (const [i, host] of lab.hosts.entries()) {
      expect(host.address).toBe(lab.gateway.replace(/\.1$/, `.${11 + i}`));
      expect(host.netns).toBe(`berth-lab-${lab.id}-h${i + 1}`);
      expect(host.cgroupParent).toBe(`berth-lab-${lab.id}-h${i + 1}`);
      expect(existsSync(host.stateDir)).toBe(true);
      expect(listLinks(host.netns).sort()).toEqual(['eth0', 'lo']);
      expect(listIpv4Addresses(host.netns)).toEqual([
        { ifname: 'lo', local: '127.0.0.1', prefixlen: 8 },
        { ifname: 'eth0', local: host.address, prefixlen: 24 },
      ]);
    }
    expect(listIpv4Addresses()).toContainEqual({ ifname: lab.bridge, local: lab.gateway, prefixlen: 24 });
    expect(readMarker(lab.id)).toMatchObject({ id: lab.id, name: 'lab-int-test', pid: process.pid, hosts: 2 });
  });

  it('has no route beyond the lab inside a host', async () => {
    const routes = await getLab().host('h1').exec(['ip', '-j', 'route', 'show']);
    expect(routes.code).toBe(0);
    expect((JSON.parse(routes.stdout) as { dst: string }[]).map((r) => r.dst)).toEqual([getLab().subnet]);
  });

  it('serves from h1 to h2 and to the root namespace, and partitions h1 on cutLink', async () => {
    const lab = getLab();
    const h1 = lab.host('h1');
    const httpd = h1.spawn(['busybox', 'httpd', '-f', '-p', '8080', '-h', site]);
    const url = `http://${h1.address}:8080/`;

    const body = await eventually('httpd on h1', async () => {
      const r = await wget(lab, 'h2', url);
      return r.code === 0 ? r.stdout : undefined;
    });
    expect(body).toBe('hello from h1\n');

    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    expect(await res.text()).toBe('hello from h1\n');

    await h1.cutLink();
    const cut = await wget(lab, 'h2', url);
    expect(cut.code).not.toBe(0);
    expect(cut.stdout).toBe('');

    await h1.restoreLink();
    const restored = await eventually('h1 after restoreLink', async () => {
      const r = await wget(lab, 'h2', url);
      return r.code === 0 ? r.stdout : undefined;
    });
    expect(restored).toBe('hello from h1\n');

    await lab.destroy();
    expect(httpd.done).toBe(true);
    expect(isAlive(httpd.pid)).toBe(false);
    expect(leftovers(lab)).toEqual([]);
    expect(listIpv4Addresses().some((a) => a.ifname === lab.bridge)).toBe(false);
    await lab.destroy(); // idempotent
  });
});

describe('teardown', () => {
  it('leaves nothing behind when a test throws inside a lab', async () => {
    const lab = await createLab({ hosts: 1 });
    const sleeper = lab.host('h1').spawn(['busybox', 'sleep', '600']);
    // A cgroup parent as an agent would make it, with a child and a process inside.
    const cgroup = `/sys/fs/cgroup/pids/${lab.host('h1').cgroupParent}`;
    const hasPids = existsSync('/sys/fs/cgroup/pids/cgroup.procs');
    try {
      if (hasPids) {
        mkdirSync(join(cgroup, 'container-1'), { recursive: true });
        writeFileSync(join(cgroup, 'container-1', 'cgroup.procs'), String(sleeper.pid));
      }
      await expect(
        (async () => {
          throw new Error('test failed inside the lab');
        })(),
      ).rejects.toThrow('test failed inside the lab');
    } finally {
      await lab.destroy();
    }
    expect(leftovers(lab)).toEqual([]);
    expect(isAlive(sleeper.pid)).toBe(false);
    expect(existsSync(cgroup)).toBe(false);
  });

  it('sweepStaleLabs removes a lab whose creator is dead', async () => {
    const pid = await deadPid();
    const stale = await buildLab({ hosts: 2, name: 'stale' }, pid);
    try {
      expect(readMarker(stale.id)?.pid).toBe(pid);
      expect(leftovers(stale).length).toBeGreaterThan(0);
      const live = await createLab({ hosts: 1 }); // createLab sweeps first, and spares live labs
      try {
        expect(leftovers(stale)).toEqual([]);
        expect(leftovers(live).length).toBeGreaterThan(0);
        expect(await sweepStaleLabs()).not.toContain(live.id);
        expect(leftovers(live).length).toBeGreaterThan(0);
      } finally {
        await live.destroy();
      }
    } finally {
      await stale.destroy();
    }
    expect(leftovers(stale)).toEqual([]);
  });

  it('sweepStaleLabs alone finds and removes a stale lab', async () => {
    const stale = await buildLab({ hosts: 1 }, await deadPid());
    try {
      expect(leftovers(stale).length).toBeGreaterThan(0);
      // Checked by what is left rather than by the returned ids: a concurrent run's sweep may get there first.
      await sweepStaleLabs();
      expect(leftovers(stale)).toEqual([]);
    } finally {
      await stale.destroy();
    }
  });
});
