import { describe, expect, it } from 'vitest';
import type { ServiceSpecInput } from '@berth/protocol';
import { applyServiceFlags, parseFileReference, splitServiceFlags, UPDATE_FLAGS } from './services.ts';
import { RUN_FLAGS } from './run-flags.ts';

describe('service create/update flags', () => {
  it('tells service flags from run flags, values and all, and leaves the image and command alone', () => {
    const r = splitServiceFlags(['--name', 'web', '--replicas', '3', '-e', 'A=1', '--constraint', 'node.labels.zone==eu', '-p', '8080:80', '--rm', 'busybox', 'sleep', '--replicas'], RUN_FLAGS);
    expect(r.service).toEqual(['--replicas', '3', '--constraint', 'node.labels.zone==eu']);
    expect(r.run).toEqual(['--name', 'web', '-e', 'A=1', '-p', '8080:80', '--rm', 'busybox', 'sleep', '--replicas']);
  });

  it('knows update’s boolean --force takes no value', () => {
    expect(splitServiceFlags(['--force', '--update-parallelism', '1', '-d'], UPDATE_FLAGS)).toEqual({ service: ['--update-parallelism', '1', '-d'], run: ['--force'] });
  });

  it('turns the flags into the spec, and refuses what swarm refuses', () => {
    const spec: ServiceSpecInput = { name: 'web', image: 'busybox', container: {} };
    applyServiceFlags('create', ['--replicas', '4', '--placement-pref', 'spread=node.labels.zone', '--update-delay', '10s', '--update-order', 'start-first', '--reserve-memory', '64m', '--update-delay', '0s'], spec);
    expect(spec.mode).toEqual({ mode: 'replicated', replicas: 4 });
    expect(spec.placement?.preferences).toEqual([{ spread: 'node.labels.zone' }]);
    expect(spec.update).toMatchObject({ delayMs: 0, order: 'start-first' });
    expect(spec.reservations?.memoryBytes).toBe(64 * 1024 * 1024);
    expect(() => applyServiceFlags('create', ['--mode', 'global', '--replicas', '2'], { ...spec })).toThrow(/--replicas can only be used with replicated mode/);
    expect(() => applyServiceFlags('create', ['--update-delay', 'soon'], { ...spec })).toThrow(/--update-delay/);
    expect(() => applyServiceFlags('create', ['--placement-pref', 'zone'], { ...spec })).toThrow(/spread=node.labels.KEY/);
  });

  it('takes --team on create (a service flag, not run\'s), and refuses it on update', () => {
    const r = splitServiceFlags(['--team', 'payments', '--name', 'web', 'busybox'], RUN_FLAGS);
    expect(r).toEqual({ service: ['--team', 'payments'], run: ['--name', 'web', 'busybox'] });
    expect(applyServiceFlags('create', r.service, { name: 'web', image: 'busybox', container: {} })).toEqual({ detach: false, team: 'payments' });
    expect(applyServiceFlags('create', ['-d'], { name: 'web', image: 'busybox', container: {} })).toEqual({ detach: true });
    expect(() => applyServiceFlags('update', ['--team', 'b'], { name: 'web', image: 'busybox', container: {} })).toThrow(/service update: --team is for create/);
  });

  it('reads --secret and --config in docker’s two forms, and --secret-add/--secret-rm on update', () => {
    expect(parseFileReference('secret', 'db')).toEqual({ source: 'db' });
    expect(parseFileReference('secret', 'source=db,target=pw,uid=33,gid=33,mode=0400')).toEqual({ source: 'db', target: 'pw', uid: '33', gid: '33', mode: 0o400 });
    expect(() => parseFileReference('secret', 'target=pw')).toThrow(/give the secret's name as source=NAME/);
    expect(() => parseFileReference('config', 'source=c,mode=rw')).toThrow(/mode is octal/);
    expect(() => parseFileReference('secret', 'source=db,owner=me')).toThrow(/unknown field "owner"/);
    const spec: ServiceSpecInput = { name: 'web', image: 'busybox', container: {} };
    applyServiceFlags('create', ['--secret', 'a', '--secret', 'source=b,target=/b.txt', '--config', 'c'], spec);
    expect(spec.secrets).toEqual([{ source: 'a' }, { source: 'b', target: '/b.txt' }]);
    expect(spec.configs).toEqual([{ source: 'c' }]);
    applyServiceFlags('update', ['--secret-rm', 'a', '--secret-add', 'source=b,target=/other', '--secret-add', 'd'], spec);
    expect(spec.secrets).toEqual([{ source: 'b', target: '/other' }, { source: 'd' }]);
    expect(spec.configs).toEqual([{ source: 'c' }]);
  });
});
