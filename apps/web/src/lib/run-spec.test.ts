import { describe, expect, it } from 'vitest';
import { emptyRunForm, parseMemory, validateRunForm } from './run-spec.ts';
import { splitShellWords } from './shell-words.ts';

describe('splitShellWords', () => {
  it('splits like a shell, keeping quoted blanks', () => {
    expect(splitShellWords(`sh -c 'echo hello-from-e2e; sleep 1000'`)).toEqual({ words: ['sh', '-c', 'echo hello-from-e2e; sleep 1000'] });
    expect(splitShellWords(`echo "a \\"b\\" $HOME" c\\ d ''`)).toEqual({ words: ['echo', 'a "b" $HOME', 'c d', ''] });
    expect(splitShellWords('  ')).toEqual({ words: [] });
  });

  it('says which quote is not closed', () => {
    expect(splitShellWords(`sh -c 'echo`)).toEqual({ error: 'a single quote is not closed' });
    expect(splitShellWords(`echo "x`)).toEqual({ error: 'a double quote is not closed' });
  });
});

describe('validateRunForm', () => {
  it('builds the spec of a valid form', () => {
    const r = validateRunForm({ ...emptyRunForm('busybox'), name: 'web', command: `sh -c 'echo hi'`, env: 'A=1\n\nB=x=y', volumes: '/srv:/data:ro', memory: '512m', cpus: '0.5', restart: 'on-failure', maxRetries: '3' }, 2);
    expect(r.errors).toEqual({});
    expect(r.spec).toEqual({
      image: 'busybox', name: 'web', cmd: ['sh', '-c', 'echo hi'], env: ['A=1', 'B=x=y'], labels: {}, binds: ['/srv:/data:ro'],
      memory: 512 * 1024 * 1024, cpus: 0.5, restartPolicy: { name: 'on-failure', maximumRetryCount: 3 }, autoRemove: false, tty: false, openStdin: false, stdinOnce: false,
    });
  });

  it('maps Interactive (-i) and Terminal (-t) to openStdin and tty; stdin outlives each attach', () => {
    expect(validateRunForm({ ...emptyRunForm('busybox'), command: 'sh', interactive: true, tty: true }).spec).toMatchObject({ cmd: ['sh'], openStdin: true, tty: true, stdinOnce: false });
    expect(validateRunForm({ ...emptyRunForm('busybox'), interactive: true }).spec).toMatchObject({ openStdin: true, tty: false, stdinOnce: false });
  });

  it('explains each wrong field', () => {
    const { errors, spec } = validateRunForm({ ...emptyRunForm(''), name: '-x', env: 'NOVALUE', volumes: 'data', memory: '12q', cpus: '4', maxRetries: '2', autoRemove: true, restart: 'always' }, 2);
    expect(spec).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['autoRemove', 'cpus', 'env', 'image', 'maxRetries', 'memory', 'name', 'volumes']);
  });

  it('reads memory sizes as docker does', () => {
    expect(parseMemory('512m')).toBe(536870912);
    expect(parseMemory('1g')).toBe(1073741824);
    expect(parseMemory('1.5GiB')).toBe(1610612736);
    expect(parseMemory('2048')).toBe(2048);
    expect(parseMemory('m')).toBeNull();
  });
});

describe('validateRunForm: networking', () => {
  it('maps the network fields into the spec', () => {
    const r = validateRunForm({
      ...emptyRunForm('busybox'), network: 'e2enet', networkAliases: 'web, www', publish: '127.0.0.1:8080:80\n\n53/udp', publishAll: true,
      expose: '80 443/tcp', dns: '10.0.0.2', addHost: 'db.local:10.0.0.5',
    });
    expect(r.errors).toEqual({});
    expect(r.spec).toMatchObject({
      network: 'e2enet', networkAliases: ['web', 'www'], publish: ['127.0.0.1:8080:80', '53/udp'], publishAll: true, expose: ['80', '443/tcp'], dns: ['10.0.0.2'], addHost: ['db.local:10.0.0.5'],
    });
  });

  it('leaves the host default alone: no network field, no empty lists', () => {
    const { spec } = validateRunForm(emptyRunForm('busybox'));
    expect(spec).not.toHaveProperty('network');
    expect(spec).not.toHaveProperty('publish');
    expect(spec).not.toHaveProperty('addHost');
  });

  it('shows the port parser\'s own words', () => {
    expect(validateRunForm({ ...emptyRunForm('busybox'), publish: '8080:80\n99999:80' }).errors.publish).toBe('invalid host port 99999 in "99999:80": ports go from 1 to 65535');
    expect(validateRunForm({ ...emptyRunForm('busybox'), publish: '8080:80\n8080:81' }).errors.publish).toBe('host port 8080/tcp is published twice');
    expect(validateRunForm({ ...emptyRunForm('busybox'), addHost: 'db.local 10.0.0.5' }).errors.addHost).toMatch(/^invalid --add-host "db.local 10.0.0.5"/);
    expect(validateRunForm({ ...emptyRunForm('busybox'), expose: '80/sctp' }).errors.expose).toMatch(/invalid protocol "sctp"/);
  });

  it('refuses what the network mode cannot have', () => {
    const host = validateRunForm({ ...emptyRunForm('busybox'), network: 'host', publish: '80', networkAliases: 'web' });
    expect(host.spec).toBeNull();
    expect(Object.keys(host.errors).sort()).toEqual(['networkAliases', 'publish']);
    expect(validateRunForm({ ...emptyRunForm('busybox'), networkAliases: 'web' }).errors.networkAliases).toMatch(/user-defined networks only/);
    expect(validateRunForm({ ...emptyRunForm('busybox'), dns: '10.0.0.256' }).errors.dns).toMatch(/IPv4/);
  });
});

describe('validateRunForm: healthcheck', () => {
  const form = (o: Partial<ReturnType<typeof emptyRunForm>>) => ({ ...emptyRunForm('busybox'), ...o });

  it('maps the health fields as docker run --health-* does, Go durations in ms', () => {
    const { spec } = validateRunForm(form({ healthCmd: 'wget -q localhost || exit 1', healthInterval: '10s', healthTimeout: '1m30s', healthStartPeriod: '500ms', healthRetries: '5' }));
    expect(spec?.healthcheck).toEqual({ test: ['CMD-SHELL', 'wget -q localhost || exit 1'], intervalMs: 10_000, timeoutMs: 90_000, startPeriodMs: 500, retries: 5 });
    expect(validateRunForm(form({})).spec?.healthcheck).toBeUndefined();
    expect(validateRunForm(form({ noHealthcheck: true })).spec?.healthcheck).toEqual({ test: ['NONE'] });
  });

  it('explains a wrong duration, retry count or a conflict with no healthcheck', () => {
    expect(validateRunForm(form({ healthInterval: '0' })).errors.healthInterval).toBe('invalid duration "0": it is zero; use a positive duration such as 500ms, 30s or 1m30s');
    expect(validateRunForm(form({ healthTimeout: '30' })).errors.healthTimeout).toMatch(/it has no unit/);
    expect(validateRunForm(form({ healthRetries: '0' })).errors.healthRetries).toBe('a whole number of at least 1');
    const conflict = validateRunForm(form({ noHealthcheck: true, healthCmd: 'true' }));
    expect(conflict.spec).toBeNull();
    expect(conflict.errors.noHealthcheck).toMatch(/conflicts with the health fields/);
  });
});
