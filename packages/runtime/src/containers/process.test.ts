import { describe, expect, it } from 'vitest';
import { resolveArgs, resolveEnv, resolveWorkingDir } from './process.ts';
import { parseGroup, parsePasswd, resolveUser } from './user.ts';

describe('entrypoint and cmd (Docker rules)', () => {
  const image = { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx', '-g', 'daemon off;'] };
  it('image entrypoint + image cmd', () => expect(resolveArgs(image, {})).toEqual(['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']));
  it('a cmd override keeps the entrypoint', () => expect(resolveArgs(image, { cmd: ['sh'] })).toEqual(['/docker-entrypoint.sh', 'sh']));
  it("an entrypoint override drops the image's cmd", () => expect(resolveArgs(image, { entrypoint: ['/bin/sh'] })).toEqual(['/bin/sh']));
  it('both overridden', () => expect(resolveArgs(image, { entrypoint: ['/bin/sh', '-c'], cmd: ['echo hi'] })).toEqual(['/bin/sh', '-c', 'echo hi']));
  it('--entrypoint "" clears it and runs the cmd given', () => expect(resolveArgs(image, { entrypoint: [''], cmd: ['ls'] })).toEqual(['ls']));
  it('only cmd in the image', () => expect(resolveArgs({ Cmd: ['sh'] }, {})).toEqual(['sh']));
  it('nothing to run is an error', () => {
    expect(() => resolveArgs({}, {})).toThrow('No command specified');
    expect(() => resolveArgs(image, { entrypoint: [] })).toThrow('No command specified');
  });
});

describe('env and working dir', () => {
  it('PATH and HOSTNAME first, then image env, then user env; later wins by key; TERM with a tty', () => {
    const env = resolveEnv({ Env: ['PATH=/bin', 'A=image', 'B=image'] }, { env: ['B=user', 'C=user', 'NOVALUE'], tty: true }, 'h1');
    expect(env).toEqual(['PATH=/bin', 'HOSTNAME=h1', 'TERM=xterm', 'A=image', 'B=user', 'C=user']);
    expect(resolveEnv({}, {}, 'h')).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=h']);
    expect(() => resolveEnv({}, { env: ['=x'] }, 'h')).toThrow(/name is empty/);
  });
  it('working dir: user, then image, then /; must be absolute', () => {
    expect(resolveWorkingDir({ WorkingDir: '/app' }, {})).toBe('/app');
    expect(resolveWorkingDir({ WorkingDir: '/app' }, { workingDir: '/srv' })).toBe('/srv');
    expect(resolveWorkingDir({}, {})).toBe('/');
    expect(() => resolveWorkingDir({}, { workingDir: 'rel' })).toThrow(/absolute path/);
  });
});

describe('user resolution from the rootfs', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33:www:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
  const group = 'root:x:0:\nwww:x:33:\nadm:x:4:www,other\nstaff:x:50:www\nnogroup:x:65534:\n';

  it('parses passwd and group', () => {
    expect(parsePasswd(passwd).map((u) => u.name)).toEqual(['root', 'www', 'nobody']);
    expect(parseGroup(group).find((g) => g.name === 'adm')).toEqual({ name: 'adm', gid: 4, members: ['www', 'other'] });
  });
  it('empty is root', () => expect(resolveUser(undefined, passwd, group)).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' }));
  it('a name gives its uid, gid, home and supplementary groups', () =>
    expect(resolveUser('www', passwd, group)).toEqual({ uid: 33, gid: 33, additionalGids: [4, 50], home: '/var/www' }));
  it('uid:gid numbers need no entry', () => expect(resolveUser('1000:1000', passwd, group)).toEqual({ uid: 1000, gid: 1000, additionalGids: [], home: '/' }));
  it('a known uid takes its passwd gid', () => expect(resolveUser('33', passwd, group)).toMatchObject({ uid: 33, gid: 33 }));
  it('name:group', () => expect(resolveUser('www:nogroup', passwd, group)).toMatchObject({ uid: 33, gid: 65534 }));
  it('unknown names are errors naming the container', () => {
    expect(() => resolveUser('ghost', passwd, group, 'abc')).toThrow('unable to find user ghost: no matching entries in passwd file (container abc)');
    expect(() => resolveUser('www:ghosts', passwd, group)).toThrow('unable to find group ghosts: no matching entries in group file');
  });
});
