import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { envEntry, parseBytes, parseEnvFile, parseRestartPolicy, parseRunArgs, parseVolume, type RunDeps } from './run-flags.ts';

const deps = (files: Record<string, string> = {}, environ: Record<string, string> = {}): RunDeps => ({
  environ,
  readFile: (p) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return files[p]!;
  },
});
const run = (argv: string[], d = deps()) => parseRunArgs('run', argv, d);
const fails = (argv: string[], pattern: RegExp, d = deps()) => {
  let err: unknown;
  try {
    run(argv, d);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${argv.join(' ')} to fail`).toBeInstanceOf(UserError);
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message.split('\n')).toHaveLength(1);
};

describe('berth run flags → ContainerCreate', () => {
  it('stops at the image: what follows is the container command, flags and all', () => {
    const r = run(['-d', '--name', 'web', 'busybox', 'sleep', '1000']);
    expect(r.detach).toBe(true);
    expect(r.spec).toMatchObject({ image: 'busybox', name: 'web', cmd: ['sleep', '1000'], autoRemove: false, privileged: false });
    const r2 = run(['busybox', 'sh', '-c', 'echo -d --name x']);
    expect(r2.detach).toBe(false);
    expect(r2.spec.cmd).toEqual(['sh', '-c', 'echo -d --name x']);
    expect(r2.spec.name).toBeUndefined();
  });

  it('takes every docker run flag berth carries, in its long, short, = and clustered forms', () => {
    const r = run([
      '-d', '--name=api', '-e', 'A=1', '-eB=2', '--env', 'C=x=y', '-w', '/srv', '-u', '1000:1000', '-h', 'box', '-l', 'tier=web', '--label', 'flag',
      '--read-only', '--tmpfs', '/run:size=64m', '--tmpfs', '/tmp', '-v', 'data:/data', '-v', '/cache', '-m', '512m', '--memory-swap', '1g', '--cpus', '1.5',
      '--cpu-shares', '512', '--pids-limit', '100', '--cap-add', 'NET_ADMIN', '--cap-drop', 'ALL', '--restart', 'on-failure:3', '--entrypoint', '/bin/sh', 'alpine:3', '-c', 'true',
    ]);
    expect(r.spec).toEqual({
      image: 'alpine:3', name: 'api', cmd: ['-c', 'true'], entrypoint: ['/bin/sh'], env: ['A=1', 'B=2', 'C=x=y'], workingDir: '/srv', user: '1000:1000', hostname: 'box',
      labels: { tier: 'web', flag: '' }, tty: false, openStdin: false, stdinOnce: false, readonlyRootfs: true, tmpfs: { '/run': 'size=64m', '/tmp': '' }, binds: ['data:/data', '/cache'],
      memory: 512 * 1024 ** 2, memorySwap: 1024 ** 3, cpus: 1.5, cpuShares: 512, pidsLimit: 100, capAdd: ['NET_ADMIN'], capDrop: ['ALL'], privileged: false,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 }, autoRemove: false,
      networkAliases: [], publish: [], publishAll: false, expose: [], dns: [], dnsSearch: [], dnsOption: [], addHost: [], files: [],
    });
    const t = run(['-dit', '--privileged', 'busybox']);
    expect(t.spec).toMatchObject({ tty: true, openStdin: true, privileged: true });
    expect(run(['--userns=host', '--privileged', 'busybox']).spec).toMatchObject({ privileged: true, userns: 'host' });
    expect(run(['--userns', '', 'busybox']).spec.userns).toBeUndefined();
    fails(['--userns', 'private', 'busybox'], /--userns: .*host/);
    expect(run(['--entrypoint', '', 'busybox']).spec.entrypoint).toEqual([]);
    expect(run(['-H', 'h2', 'busybox']).host).toBe('h2');
  });

  it('takes docker run\u2019s network flags: -p, -P, --expose, --network, --network-alias, --ip, --dns*, --add-host', () => {
    const r = run([
      '-d', '-p', '8080:80', '--publish=127.0.0.1:5353:53/udp', '-p8443:443', '-P', '--expose', '9000-9001', '--expose=7000/udp',
      '--network', 'appnet', '--network-alias', 'api', '--net-alias', 'backend', '--ip', '10.215.3.7',
      '--dns', '10.0.0.2', '--dns-search', 'corp.example', '--dns-option', 'ndots:2', '--dns-opt', 'timeout:1',
      '--add-host', 'db.local:10.0.0.5', '--add-host', 'cache=10.0.0.6', 'busybox', 'httpd', '-f', '-p', '80',
    ]);
    expect(r.spec).toMatchObject({
      network: 'appnet', networkAliases: ['api', 'backend'], ipv4Address: '10.215.3.7',
      publish: ['8080:80', '127.0.0.1:5353:53/udp', '8443:443'], publishAll: true, expose: ['9000-9001', '7000/udp'],
      dns: ['10.0.0.2'], dnsSearch: ['corp.example'], dnsOption: ['ndots:2', 'timeout:1'], addHost: ['db.local:10.0.0.5', 'cache:10.0.0.6'],
      // the container's own -p stays its own
      cmd: ['httpd', '-f', '-p', '80'],
    });
    expect(run(['--net', 'host', 'busybox']).spec.network).toBe('host');
    expect(run(['--network', 'none', '--net', 'none', 'busybox']).spec.network).toBe('none');
    // no --network: the host's default, decided by the agent
    const plain = run(['busybox']).spec;
    expect(plain.network).toBeUndefined();
    expect(plain).toMatchObject({ publish: [], publishAll: false, expose: [], networkAliases: [], dns: [], addHost: [] });
    expect(parseRunArgs('create', ['-p', '80', '--network', 'appnet', 'busybox'], deps()).spec).toMatchObject({ publish: ['80'], network: 'appnet' });
  });

  it('refuses a bad -p, --expose, --add-host, --ip or --dns before anything is sent, with the parser\u2019s message', () => {
    fails(['-p', '70000:80', 'busybox'], /^run: invalid host port 70000 in "70000:80": ports go from 1 to 65535$/);
    fails(['-p', '80/sctp', 'busybox'], /^run: invalid protocol "sctp" in "80\/sctp": use tcp or udp$/);
    fails(['-p', '8080:0', 'busybox'], /invalid container port 0 in "8080:0"/);
    fails(['-p', 'web:80', 'busybox'], /invalid host port "web" in "web:80"/);
    fails(['-p', '1.2.3:8080:80', 'busybox'], /invalid host address "1\.2\.3"/);
    fails(['-p', '8000-8002:80-81', 'busybox'], /ranges of the same length/);
    fails(['--expose', '80/sctp', 'busybox'], /invalid protocol "sctp" in "80\/sctp"/);
    fails(['--add-host', 'bad', 'busybox'], /^run: invalid --add-host "bad": use NAME:IPv4, e\.g\. db\.local:10\.0\.0\.5$/);
    fails(['--add-host', 'db:not-an-ip', 'busybox'], /invalid --add-host "db:not-an-ip"/);
    fails(['--ip', '10.0.0', 'busybox'], /--ip "10\.0\.0" is not an IPv4 address/);
    fails(['--dns', 'dns.example', 'busybox'], /--dns "dns\.example" is not an IPv4 address/);
    fails(['--network', 'a', '--net', 'b', 'busybox'], /--network a, b: berth connects a container to one network when it is created/);
    fails(['--network-alias', 'bad alias', '--network', 'appnet', 'busybox'], /^run: --network-alias: an alias is/);
    fails(['-p'], /flag -p needs an argument/);
    expect(() => run(['-p', '70000:80', 'busybox'])).toThrow(expect.objectContaining({ exitCode: 125 }));
  });

  it('--rm: the engine removes a detached container, the CLI an attached one after waiting', () => {
    expect(run(['-d', '--rm', 'busybox'])).toMatchObject({ removeAfter: false, spec: { autoRemove: true } });
    expect(run(['--rm', 'busybox'])).toMatchObject({ removeAfter: true, spec: { autoRemove: false } });
    expect(parseRunArgs('create', ['--rm', 'busybox'], deps())).toMatchObject({ detach: true, spec: { autoRemove: true } });
  });

  it('reads -e NAME from the environment, and --env-file files', () => {
    const d = deps({ '/e': '# comment\n\nX=1\nHOME_DIR\n  Y=two words\n' }, { HOME_DIR: '/root', TOKEN: 's3cret' });
    const r = run(['--env-file', '/e', '-e', 'TOKEN', '-e', 'UNSET', 'busybox'], d);
    expect(r.spec.env).toEqual(['X=1', 'HOME_DIR=/root', 'Y=two words', 'TOKEN=s3cret']);
  });

  it('refuses bad input with one clear line', () => {
    fails([], /requires at least 1 argument/);
    fails(['--bogus', 'busybox'], /unknown flag --bogus/);
    fails(['-Z', 'busybox'], /unknown flag -Z/);
    fails(['--name'], /flag --name needs an argument/);
    fails(['--name', 'bad name', 'busybox'], /--name: a container name is/);
    fails(['-m', '12q', 'busybox'], /"12q" is not a size/);
    fails(['-m', '1m', 'busybox'], /minimum memory limit allowed is 6MB/);
    fails(['--memory-swap', '1g', 'busybox'], /--memory-swap needs --memory/);
    fails(['-m', '1g', '--memory-swap', '512m', 'busybox'], /must be at least --memory/);
    fails(['--cpus', '-1', 'busybox'], /--cpus must be a positive number/);
    fails(['--cpus', 'lots', 'busybox'], /--cpus must be a positive number/);
    fails(['--pids-limit', '1.5', 'busybox'], /--pids-limit must be a whole number/);
    fails(['--restart', 'sometimes', 'busybox'], /invalid restart policy "sometimes"/);
    fails(['--restart', 'always:3', 'busybox'], /only be given with on-failure/);
    fails(['--rm', '--restart', 'always', 'busybox'], /conflicting options: --restart and --rm/);
    fails(['-w', 'relative', 'busybox'], /needs to be an absolute path/);
    fails(['-v', 'data:relative', 'busybox'], /must be an absolute path/);
    fails(['-v', '/a:/b:rx', 'busybox'], /mode "rx" is not ro or rw/);
    fails(['-e', '=x', 'busybox'], /invalid environment variable/);
    fails(['--env-file', '/nope', 'busybox'], /--env-file \/nope: no such file/);
    fails(['--tmpfs', 'run', 'busybox'], /--tmpfs run: the path must be absolute/);
  });

  it('-i without -d closes stdin with the input (StdinOnce); with -d stdin stays open', () => {
    expect(run(['-it', 'busybox', 'sh']).spec).toMatchObject({ tty: true, openStdin: true, stdinOnce: true });
    expect(run(['-dit', 'busybox', 'sh']).spec).toMatchObject({ tty: true, openStdin: true, stdinOnce: false });
  });

  it('exits 125 on a bad flag, as docker run does', () => {
    expect(() => run(['--cpus', 'x', 'busybox'])).toThrow(expect.objectContaining({ exitCode: 125 }));
  });
});

describe('units and policies', () => {
  it('parses sizes in binary units', () => {
    expect(parseBytes('65536')).toBe(65536);
    expect(parseBytes('64k')).toBe(65536);
    expect(parseBytes('512m')).toBe(512 * 1024 ** 2);
    expect(parseBytes('512MB')).toBe(512 * 1024 ** 2);
    expect(parseBytes('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('2G')).toBe(2 * 1024 ** 3);
    expect(parseBytes('10b')).toBe(10);
    expect(() => parseBytes('m')).toThrow(/not a size/);
    expect(() => parseBytes('-1g')).toThrow(/not a size/);
  });

  it('parses restart policies', () => {
    expect(parseRestartPolicy('no')).toEqual({ name: 'no', maximumRetryCount: 0 });
    expect(parseRestartPolicy('always')).toEqual({ name: 'always', maximumRetryCount: 0 });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ name: 'unless-stopped', maximumRetryCount: 0 });
    expect(parseRestartPolicy('on-failure')).toEqual({ name: 'on-failure', maximumRetryCount: 0 });
    expect(parseRestartPolicy('on-failure:5')).toEqual({ name: 'on-failure', maximumRetryCount: 5 });
    expect(() => parseRestartPolicy('on-failure:x')).toThrow(/whole number/);
    expect(() => parseRestartPolicy('on-failure:1:2')).toThrow(/invalid restart policy/);
  });

  it('reads env entries and files', () => {
    expect(envEntry('A=', {})).toBe('A=');
    expect(envEntry('A', { A: 'v' })).toBe('A=v');
    expect(envEntry('A', {})).toBeNull();
    expect(() => parseEnvFile('BAD NAME=1\n', 'f', {})).toThrow(/f line 1: variable name "BAD NAME" contains whitespace/);
  });

  it('checks -v specs as the engine reads them', () => {
    for (const ok of ['/host:/ctr', '/host:/ctr:ro', 'vol:/data', 'vol:/data:rw', '/anon', '/anon:ro']) expect(parseVolume(ok)).toBe(ok);
    expect(() => parseVolume('a:b:c:d')).toThrow(/expected SOURCE:DESTINATION/);
    expect(() => parseVolume('bad$name:/x')).toThrow(/neither an absolute host path nor a volume name/);
  });
});

describe('berth run --health-* flags', () => {
  it('takes docker’s health flags: --health-cmd as CMD-SHELL, Go durations in ms', () => {
    const r = run(['--health-cmd', 'wget -q -O- localhost || exit 1', '--health-interval', '200ms', '--health-timeout', '1m30s', '--health-start-period', '2s', '--health-start-interval', '500ms', '--health-retries', '5', 'busybox']);
    expect(r.spec.healthcheck).toEqual({ test: ['CMD-SHELL', 'wget -q -O- localhost || exit 1'], intervalMs: 200, timeoutMs: 90_000, startPeriodMs: 2_000, startIntervalMs: 500, retries: 5 });
    expect(run(['--health-interval=5s', 'busybox']).spec.healthcheck).toEqual({ intervalMs: 5_000 });
    expect(run(['--no-healthcheck', 'busybox']).spec.healthcheck).toEqual({ test: ['NONE'] });
    expect(run(['busybox']).spec.healthcheck).toBeUndefined();
  });

  it('refuses zero, negative and garbage durations, bad retries and --no-healthcheck with --health-*, in one line each', () => {
    fails(['--health-interval', '0', 'busybox'], /^run: invalid --health-interval "0": it is zero; use a positive duration such as 500ms, 30s or 1m30s$/);
    fails(['--health-timeout', '-1s', 'busybox'], /^run: invalid --health-timeout "-1s": it is negative/);
    fails(['--health-start-period', 'soon', 'busybox'], /^run: invalid --health-start-period "soon": it is not a duration/);
    fails(['--health-start-interval', '30', 'busybox'], /^run: invalid --health-start-interval "30": it has no unit/);
    fails(['--health-retries', '0', 'busybox'], /--health-retries must be a whole number of at least 1, not "0"/);
    fails(['--health-cmd', ' ', 'busybox'], /--health-cmd needs a command/);
    fails(['--no-healthcheck', '--health-cmd', 'true', 'busybox'], /^run: --no-healthcheck conflicts with --health-\* options \(--health-cmd\)$/);
  });
});
