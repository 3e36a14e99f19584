import { describe, expect, it } from 'vitest';
import type { ContainerSummary, ImageSummary } from '@berth/protocol';
import { ago, humanDuration, humanSize } from '../format.ts';
import type { NetworkSummary } from '@berth/protocol';
import { commandCell, parseSince, portLines, privatePortKey, psFilter, psTable, statsTable } from './containers.ts';
import { imagesTable, layerLine, PullProgress, splitRef } from './images.ts';
import { dockerNetwork, networksTable } from './networks.ts';

const NOW = Date.parse('2026-11-30T08:00:00Z');
const secondsAgo = (s: number) => NOW / 1000 - s;

const container = (o: Partial<ContainerSummary & { host: string }>): ContainerSummary & { host: string } => ({
  id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2',
  name: 'web', image: 'busybox:latest', imageId: 'sha256:ff', command: 'sleep 1000', created: secondsAgo(120), state: 'running', status: 'Up 2 minutes', exitCode: null, labels: {}, ports: [], networks: ['bridge'],
  host: 'local', ...o,
});

describe('docker-style cells', () => {
  it('says how long ago as docker does', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(45_000)).toBe('45 seconds');
    expect(humanDuration(61_000)).toBe('About a minute');
    expect(humanDuration(2 * 60_000)).toBe('2 minutes');
    expect(humanDuration(59 * 60_000)).toBe('59 minutes');
    expect(humanDuration(60 * 60_000)).toBe('About an hour');
    expect(humanDuration(5 * 3_600_000)).toBe('5 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(20 * 86_400_000)).toBe('2 weeks');
    expect(humanDuration(90 * 86_400_000)).toBe('3 months');
    expect(humanDuration(800 * 86_400_000)).toBe('2 years');
    expect(ago(secondsAgo(120), NOW)).toBe('2 minutes ago');
  });

  it('sizes images in decimal units with three digits', () => {
    expect(humanSize(0)).toBe('0B');
    expect(humanSize(512)).toBe('512B');
    expect(humanSize(1234)).toBe('1.23kB');
    expect(humanSize(3_400_000)).toBe('3.4MB');
    expect(humanSize(4_261_000)).toBe('4.26MB');
    expect(humanSize(72_800_000)).toBe('72.8MB');
    expect(humanSize(133_000_000)).toBe('133MB');
    expect(humanSize(999_999)).toBe('1MB');
    expect(humanSize(1_240_000_000)).toBe('1.24GB');
  });

  it('quotes and cuts commands', () => {
    expect(commandCell('sleep 1000', false)).toBe('"sleep 1000"');
    expect(commandCell('docker-entrypoint.sh postgres', false)).toBe('"docker-entrypoint.s…"');
    expect(commandCell('docker-entrypoint.sh postgres', true)).toBe('"docker-entrypoint.sh postgres"');
  });
});

describe('berth ps', () => {
  it('lays out docker ps columns with 12-character ids', () => {
    const out = psTable([container({}), container({ id: 'ffeeddccbbaa99887766', name: 'job', command: 'sh -c exit 3', state: 'exited', status: 'Exited (3) 2 seconds ago', created: secondsAgo(3) })], { noTrunc: false, showHost: false, now: NOW });
    expect(out).toBe([
      'CONTAINER ID   IMAGE            COMMAND          CREATED         STATUS                     PORTS   NAMES',
      'a1b2c3d4e5f6   busybox:latest   "sleep 1000"     2 minutes ago   Up 2 minutes                       web',
      'ffeeddccbbaa   busybox:latest   "sh -c exit 3"   3 seconds ago   Exited (3) 2 seconds ago           job',
      '',
    ].join('\n'));
  });

  it('adds a HOST column only for a listing across hosts, and shows full ids with --no-trunc', () => {
    const rows = [container({ host: 'h1' }), container({ host: 'h2', name: 'db' })];
    const multi = psTable(rows, { noTrunc: false, showHost: true, now: NOW });
    expect(multi.split('\n')[0]).toMatch(/NAMES\s+HOST$/);
    expect(multi.split('\n')[2]).toMatch(/db\s+h2$/);
    expect(psTable(rows, { noTrunc: true, showHost: false, now: NOW })).toContain(rows[0]!.id);
  });

  it('--filter health= keeps what docker keeps: none for containers without a healthcheck, values of one key or-ed', () => {
    const rows = [container({ name: 'ok', health: 'healthy' }), container({ name: 'sick', health: 'unhealthy' }), container({ name: 'new', health: 'starting' }), container({ name: 'plain' })];
    const names = (filters: string[]) => rows.filter((c) => psFilter(filters).keep(c)).map((c) => c.name);
    expect(names([])).toEqual(['ok', 'sick', 'new', 'plain']);
    expect(names(['health=healthy'])).toEqual(['ok']);
    expect(names(['health=none'])).toEqual(['plain']);
    expect(names(['health=starting', 'health=unhealthy'])).toEqual(['sick', 'new']);
    expect(() => psFilter(['health=great'])).toThrow('ps: invalid filter "health=great": health is one of starting, healthy, unhealthy, none');
  });

  it('--filter status, name, id, label, ancestor and exited as docker reads them: one key\'s values or-ed, keys and-ed, every label', () => {
    const rows = [
      container({ name: 'web', id: 'aaa111', labels: { tier: 'front', team: 'red' }, image: 'nginx:1.25', imageId: 'sha256:abcdef0123' }),
      container({ name: 'web-old', id: 'aaa222', state: 'exited', exitCode: 0, labels: { tier: 'front' }, image: 'nginx:1.24' }),
      container({ name: 'db', id: 'bbb333', state: 'exited', exitCode: 3, labels: { tier: 'back' }, image: 'postgres:16' }),
      container({ name: 'job', id: 'ccc444', state: 'created', image: 'registry.local:5000/tools/job@sha256:00ff' }),
    ];
    const names = (filters: string[]) => rows.filter((c) => psFilter(filters).keep(c)).map((c) => c.name);
    expect(names(['status=exited'])).toEqual(['web-old', 'db']);
    expect(names(['status=exited', 'status=created'])).toEqual(['web-old', 'db', 'job']);
    expect(names(['name=web'])).toEqual(['web', 'web-old']);
    expect(names(['name=^web$'])).toEqual(['web']);
    expect(names(['id=aaa'])).toEqual(['web', 'web-old']);
    expect(names(['label=tier=front'])).toEqual(['web', 'web-old']);
    expect(names(['label=tier=front', 'label=team'])).toEqual(['web']);
    expect(names(['ancestor=nginx'])).toEqual(['web', 'web-old']);
    expect(names(['ancestor=nginx:1.24'])).toEqual(['web-old']);
    expect(names(['ancestor=abcdef'])).toEqual(['web']);
    expect(names(['ancestor=registry.local:5000/tools/job'])).toEqual(['job']);
    // what the host resolved the ancestor to (nginx:latest is docker.io/library/nginx:latest there)
    const resolved = rows.filter((c) => psFilter(['ancestor=docker.io/library/nginx:latest']).keep(c, new Set(['abcdef0123']))).map((c) => c.name);
    expect(resolved).toEqual(['web']);
    expect(psFilter(['ancestor=a', 'ancestor=b', 'name=x']).ancestors).toEqual(['a', 'b']);
    expect(names(['exited=3'])).toEqual(['db']);
    expect(names(['status=exited', 'label=tier=front'])).toEqual(['web-old']);
    // docker lists stopped containers for a status filter without -a; no other filter does
    expect([psFilter(['status=exited']).all, psFilter(['name=web']).all, psFilter([]).all]).toEqual([true, false, false]);
    expect(() => psFilter(['status=stopped'])).toThrow('ps: invalid filter "status=stopped": status is one of created, running, restarting, removing, paused, exited, dead');
    expect(() => psFilter(['exited=yes'])).toThrow('ps: invalid filter "exited=yes": exited takes an exit code (exited=0)');
    expect(() => psFilter(['name=(web'])).toThrow('ps: invalid filter "name=(web": name takes a regular expression, which this is not');
    expect(() => psFilter(['colour=red'])).toThrow('ps: invalid filter "colour=red": berth ps filters on status, name, id, label, ancestor, exited and health');
    expect(() => psFilter(['label='])).toThrow('ps: invalid filter "label=": give label a value: label=VALUE');
  });
});

describe('berth ps PORTS', () => {
  it('shows published and exposed ports between STATUS and NAMES, as docker ps does', () => {
    const out = psTable([
      container({ name: 'api', ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }, { containerPort: 443, protocol: 'tcp' }] }),
      container({ id: 'ffeeddccbbaa99887766', name: 'dns', ports: [{ containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 5353 }, { containerPort: 8000, protocol: 'tcp', hostIp: '', hostPort: 9000 }, { containerPort: 8001, protocol: 'tcp', hostIp: '', hostPort: 9001 }] }),
      container({ id: '0123456789abcdef', name: 'quiet' }),
    ], { noTrunc: false, showHost: false, now: NOW });
    expect(out).toBe([
      'CONTAINER ID   IMAGE            COMMAND        CREATED         STATUS         PORTS                                                    NAMES',
      'a1b2c3d4e5f6   busybox:latest   "sleep 1000"   2 minutes ago   Up 2 minutes   443/tcp, 127.0.0.1:8080->80/tcp                          api',
      'ffeeddccbbaa   busybox:latest   "sleep 1000"   2 minutes ago   Up 2 minutes   0.0.0.0:9000-9001->8000-8001/tcp, 0.0.0.0:5353->53/udp   dns',
      '0123456789ab   busybox:latest   "sleep 1000"   2 minutes ago   Up 2 minutes                                                            quiet',
      '',
    ].join('\n'));
  });
});

describe('berth port', () => {
  const ports = { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': null, '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }], '9/tcp': [{ HostIp: '0.0.0.0', HostPort: '9009' }, { HostIp: '127.0.0.1', HostPort: '9010' }] };

  it('lists every published port, naturally sorted, as docker port does', () => {
    expect(portLines(ports, 'web')).toEqual(['9/tcp -> 0.0.0.0:9009', '9/tcp -> 127.0.0.1:9010', '53/udp -> 0.0.0.0:5353', '80/tcp -> 127.0.0.1:8080']);
    expect(portLines({}, 'web')).toEqual([]);
  });

  it('gives one private port\u2019s host addresses, tcp unless told', () => {
    expect(portLines(ports, 'web', privatePortKey('80'))).toEqual(['127.0.0.1:8080']);
    expect(portLines(ports, 'web', privatePortKey('53/UDP'))).toEqual(['0.0.0.0:5353']);
    expect(() => portLines(ports, 'web', privatePortKey('81/tcp'))).toThrow("no public port '81/tcp' published for web");
    expect(() => portLines(ports, 'web', privatePortKey('443'))).toThrow("no public port '443/tcp' published for web");
    expect(() => privatePortKey('70000')).toThrow(/invalid port "70000"/);
    expect(() => privatePortKey('80/sctp')).toThrow(/invalid port "80\/sctp"/);
  });
});

describe('berth network', () => {
  const net = (o: Partial<NetworkSummary & { host: string }>): NetworkSummary & { host: string } => ({
    id: '5f0e8a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab', name: 'appnet', driver: 'bridge', scope: 'local', created: '2026-11-30T08:00:00.000Z',
    subnet: '10.215.3.0/24', gateway: '10.215.3.1', bridge: 'br-5f0e8a1b2c3d', internal: false, labels: {}, containers: [], host: 'local', ...o,
  });
  const rows = [net({ id: '9a8b7c6d5e4f30211234', name: 'bridge', bridge: 'berth0', subnet: '10.214.0.0/24' }), net({}), net({ id: 'host', name: 'host', driver: 'host', subnet: null, gateway: null, bridge: null }), net({ id: 'none', name: 'none', driver: 'null', subnet: null, gateway: null, bridge: null })];

  it('lays out docker network ls: 12-character ids, NAME, DRIVER, SCOPE', () => {
    expect(networksTable(rows, { noTrunc: false, showHost: false })).toBe([
      'NETWORK ID     NAME     DRIVER   SCOPE',
      '9a8b7c6d5e4f   bridge   bridge   local',
      '5f0e8a1b2c3d   appnet   bridge   local',
      'host           host     host     local',
      'none           none     null     local',
      '',
    ].join('\n'));
    expect(networksTable(rows.slice(1, 2), { noTrunc: true, showHost: false })).toContain(rows[1]!.id);
  });

  it('adds a HOST column for a listing across hosts', () => {
    const out = networksTable([net({ host: 'h1' }), net({ host: 'h2', name: 'db' })], { noTrunc: false, showHost: true });
    expect(out.split('\n')[0]).toBe('NETWORK ID     NAME     DRIVER   SCOPE   HOST');
    expect(out.split('\n')[2]).toBe('5f0e8a1b2c3d   db       bridge   local   h2');
  });

  it('inspects in Docker\u2019s field names', () => {
    const doc = dockerNetwork(net({ labels: { tier: 'web' }, containers: [{ containerId: 'c0ffee', name: 'api', ipv4Address: '10.215.3.2/24', macAddress: '02:42:0a:d7:03:02', aliases: ['api'] }] }));
    expect(doc).toMatchObject({
      Name: 'appnet', Id: rows[1]!.id, Created: '2026-11-30T08:00:00.000Z', Scope: 'local', Driver: 'bridge', Internal: false,
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.215.3.0/24', Gateway: '10.215.3.1' }] },
      Containers: { c0ffee: { Name: 'api', IPv4Address: '10.215.3.2/24', MacAddress: '02:42:0a:d7:03:02' } },
      Labels: { tier: 'web' },
    });
    expect(dockerNetwork(rows[2]!)).toMatchObject({ Name: 'host', Driver: 'host', IPAM: { Config: [] }, Containers: {}, Options: {} });
  });
});

describe('berth images', () => {
  const image = (o: Partial<ImageSummary>): ImageSummary => ({ id: 'sha256:0123456789abcdef0123', repoTags: ['busybox:latest'], repoDigests: [], created: secondsAgo(7200), size: 4_261_000, containers: 0, ...o });

  it('shows a row per tag, <none> for untagged images', () => {
    const out = imagesTable([image({ repoTags: ['127.0.0.1:5000/busybox:latest', 'busybox:1'] }), image({ id: 'sha256:fedcba9876543210', repoTags: [], size: 512 })], { noTrunc: false, showHost: false, now: NOW });
    expect(out).toBe([
      'REPOSITORY               TAG      IMAGE ID       CREATED       SIZE',
      '127.0.0.1:5000/busybox   latest   0123456789ab   2 hours ago   4.26MB',
      'busybox                  1        0123456789ab   2 hours ago   4.26MB',
      '<none>                   <none>   fedcba987654   2 hours ago   512B',
      '',
    ].join('\n'));
  });

  it('splits references at the tag, not at a registry port', () => {
    expect(splitRef('127.0.0.1:5000/busybox')).toEqual({ repository: '127.0.0.1:5000/busybox', tag: 'latest' });
    expect(splitRef('127.0.0.1:5000/busybox:1.36')).toEqual({ repository: '127.0.0.1:5000/busybox', tag: '1.36' });
    expect(splitRef('busybox@sha256:abc')).toEqual({ repository: 'busybox', tag: 'sha256:abc' });
  });
});

describe('berth stats --no-stream', () => {
  it('shows CPU and memory as docker does', () => {
    const out = statsTable([{ id: 'a1b2c3d4e5f6a7b8', name: 'web', cpuPercent: 0.5, memoryUsageBytes: 1.5 * 1024 ** 2, memoryLimitBytes: 2 * 1024 ** 3, pids: 1, netRxBytes: 1450, netTxBytes: 648, blockReadBytes: 4096, blockWriteBytes: 0 }]);
    expect(out).toBe(
      'CONTAINER ID   NAME   CPU %   MEM USAGE / LIMIT   MEM %   NET I/O         BLOCK I/O    PIDS\n' +
        'a1b2c3d4e5f6   web    0.50%   1.5MiB / 2GiB       0.07%   1.45kB / 648B   4.1kB / 0B   1\n',
    );
  });
});

describe('berth logs --since', () => {
  it('takes durations, RFC 3339 times and unix seconds', () => {
    expect(parseSince('10m', NOW)).toBe(NOW / 1000 - 600);
    expect(parseSince('1h30m', NOW)).toBe(NOW / 1000 - 5400);
    expect(parseSince('1700000000', NOW)).toBe(1_700_000_000);
    expect(parseSince('2026-11-30T07:00:00Z', NOW)).toBe(NOW / 1000 - 3600);
    expect(() => parseSince('yesterday', NOW)).toThrow(/use a duration/);
  });
});

describe('berth pull progress', () => {
  const digest = 'sha256:3f4d90098f5b0123456789';
  it('prints one line per state change when not on a terminal', () => {
    let out = '';
    const p = new PullProgress((s) => (out += s), false);
    p.update({ digest, status: 'waiting', done: 0, total: 3_400_000 });
    p.update({ digest, status: 'downloading', done: 0, total: 3_400_000 });
    p.update({ digest, status: 'downloading', done: 1_200_000, total: 3_400_000 });
    p.update({ digest, status: 'downloading', done: 3_400_000, total: 3_400_000 });
    p.update({ digest, status: 'verifying', done: 3_400_000, total: 3_400_000 });
    p.update({ digest, status: 'extracting', done: 0, total: 3_400_000 });
    p.update({ digest, status: 'complete', done: 3_400_000, total: 3_400_000 });
    expect(out).toBe(['3f4d90098f5b: Waiting', '3f4d90098f5b: Downloading  0B/3.4MB', '3f4d90098f5b: Verifying Checksum', '3f4d90098f5b: Extracting  0B/3.4MB', '3f4d90098f5b: Pull complete', ''].join('\n'));
    expect(p.fetchedAnything).toBe(true);
  });

  it('redraws a layer in place on a terminal', () => {
    let out = '';
    const p = new PullProgress((s) => (out += s), true);
    const other = 'sha256:aaaaaaaaaaaa999';
    p.update({ digest, status: 'downloading', done: 0, total: 3_400_000 });
    p.update({ digest: other, status: 'already exists', done: 0, total: 0 });
    p.update({ digest, status: 'downloading', done: 1_200_000, total: 3_400_000 });
    expect(out).toBe('3f4d90098f5b: Downloading  0B/3.4MB\naaaaaaaaaaaa: Already exists\n\x1b[2A\r\x1b[2K3f4d90098f5b: Downloading  1.2MB/3.4MB\r\x1b[2B');
  });

  it('says when nothing had to be fetched', () => {
    const p = new PullProgress(() => {}, false);
    p.update({ digest, status: 'already exists', done: 0, total: 0 });
    expect(p.fetchedAnything).toBe(false);
    expect(layerLine({ digest, status: 'already exists', done: 0, total: 0 })).toBe('3f4d90098f5b: Already exists');
  });
});

describe('berth history and push', () => {
  it('lays out docker history', async () => {
    const { historyTable } = await import('./images.ts');
    const out = historyTable([
      { id: 'sha256:abcdef0123456789', created: new Date(NOW - 3_600_000).toISOString(), createdBy: 'sh -c echo made > /made-here && a very long command indeed', size: 1234, comment: 'with a file' },
      { id: '<missing>', created: null, createdBy: 'ADD busybox', size: 1_000_000, comment: '' },
    ], { noTrunc: false, now: NOW });
    expect(out).toBe([
      'IMAGE          CREATED             CREATED BY                                      SIZE     COMMENT',
      'abcdef012345   About an hour ago   sh -c echo made > /made-here && a very long …   1.23kB   with a file',
      '<missing>                          ADD busybox                                     1MB',
      '',
    ].join('\n'));
  });

  it('words push progress as docker does', async () => {
    const { blobLine } = await import('./images.ts');
    const digest = 'sha256:3f4d90098f5b0123456789';
    expect(blobLine({ digest, status: 'pushing', done: 1_200_000, total: 3_400_000 })).toBe('3f4d90098f5b: Pushing  1.2MB/3.4MB');
    expect(blobLine({ digest, status: 'already exists', done: 0, total: 0 })).toBe('3f4d90098f5b: Layer already exists');
    expect(blobLine({ digest, status: 'mounted', done: 0, total: 0 })).toBe('3f4d90098f5b: Mounted');
  });
});
