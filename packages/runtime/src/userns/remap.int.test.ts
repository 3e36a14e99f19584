// Real useradd/usermod, on copies of the host's account files under a temporary --prefix: the
// host's own /etc is never changed.
import { copyFile, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostExec } from '../sys/exec.ts';
import { DEFAULT_REMAP_USER, parseRemapSetting, resolveUsernsRemap } from './remap.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-remap-'));
  await mkdir(join(root, 'etc'));
  for (const f of ['passwd', 'group', 'shadow', 'gshadow']) await copyFile(join('/etc', f), join(root, 'etc', f)).catch(() => undefined);
  await writeFile(join(root, 'etc', 'subuid'), '');
  await writeFile(join(root, 'etc', 'subgid'), '');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolveUsernsRemap', () => {
  it('is off for an empty setting', async () => {
    expect(await resolveUsernsRemap('', { exec: hostExec(), root })).toBeNull();
  });

  it('default: creates berth-remap with a free range after the ranges in use, once', async () => {
    await writeFile(join(root, 'etc', 'subuid'), 'someone:100000:65536\n');
    const r = await resolveUsernsRemap('default', { exec: hostExec(), root });
    expect(r?.user).toBe(DEFAULT_REMAP_USER);
    expect(r?.group).toBe(DEFAULT_REMAP_USER);
    expect(r?.uid).toEqual({ start: 165536, size: 65536 });
    expect(r?.gid).toEqual({ start: 165536, size: 65536 });
    expect(r?.mappings.uidMappings).toEqual([{ containerID: 0, hostID: 165536, size: 65536 }]);
    expect(await readFile(join(root, 'etc', 'passwd'), 'utf8')).toMatch(/^berth-remap:x:\d+:\d+:/m);
    // a second start finds everything in place and adds nothing
    const again = await resolveUsernsRemap('default', { exec: hostExec(), root });
    expect(again?.uid).toEqual(r?.uid);
    expect((await readFile(join(root, 'etc', 'subuid'), 'utf8')).match(/berth-remap/g)).toHaveLength(1);
  });

  it('USER:GROUP: takes the user\'s subuid range and the group\'s subgid range', async () => {
    await writeFile(join(root, 'etc', 'subuid'), 'nobody:300000:65536\n');
    await writeFile(join(root, 'etc', 'subgid'), 'nogroup:400000:70000\n');
    const r = await resolveUsernsRemap('nobody:nogroup', { exec: hostExec(), root });
    expect(r).toMatchObject({ user: 'nobody', group: 'nogroup', uid: { start: 300000, size: 65536 }, gid: { start: 400000, size: 70000 } });
  });

  it('refuses a user whose range is too small, and one that does not exist', async () => {
    await writeFile(join(root, 'etc', 'subuid'), 'nobody:300000:4096\n');
    await writeFile(join(root, 'etc', 'subgid'), 'nogroup:300000:65536\n');
    await expect(resolveUsernsRemap('nobody:nogroup', { exec: hostExec(), root })).rejects.toThrow(/holds 4096 ids, fewer than the 65536/);
    await expect(resolveUsernsRemap('no-such-user-here', { exec: hostExec(), root })).rejects.toThrow(/names the user no-such-user-here, which .*passwd does not have/);
  });
});

describe('parseRemapSetting', () => {
  it('reads USER[:GROUP] and refuses anything else', () => {
    expect(parseRemapSetting('alice:staff')).toEqual({ user: 'alice', group: 'staff' });
    expect(parseRemapSetting('1000')).toEqual({ user: '1000' });
    expect(() => parseRemapSetting('a b')).toThrow(/is not "default" or USER\[:GROUP\]/);
  });
});
