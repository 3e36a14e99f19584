import { describe, expect, it } from 'vitest';
import { securityLines } from './hosts.ts';

describe('berth info: Security Options, as docker info shows them', () => {
  it('lists seccomp with its profile, and userns with the remap range when the host remaps', () => {
    expect(
      securityLines({
        securityOptions: ['name=seccomp,profile=builtin', 'name=userns'],
        usernsRemap: { user: 'berth-remap', group: 'berth-remap', uid: { start: 100000, size: 65536 }, gid: { start: 100000, size: 65536 } },
      }),
    ).toEqual([' Security Options:', '  seccomp', '   Profile: builtin', '  userns', ' User Namespace Remap: berth-remap:berth-remap (uids 100000-165535, gids 100000-165535)']);
  });

  it('shows no remap line when off, and nothing for agents that do not report security options', () => {
    expect(securityLines({ securityOptions: ['name=seccomp,profile=builtin'], usernsRemap: null })).toEqual([' Security Options:', '  seccomp', '   Profile: builtin']);
    expect(securityLines({})).toEqual([]);
  });
});
