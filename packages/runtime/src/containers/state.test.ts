import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from './config.ts';
import { ContainerError } from './errors.ts';
import { assertTransition, canTransition, checkAction } from './state.ts';

const ID = 'c0ffee';
const ALL: ContainerStatus[] = ['created', 'running', 'restarting', 'removing', 'paused', 'exited', 'dead'];

describe('container state machine', () => {
  it("allows only Docker's moves", () => {
    const legal = ALL.flatMap((from) => ALL.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(legal.sort()).toEqual(
      [
        'created->running', 'created->exited', 'created->removing', 'created->dead',
        'running->paused', 'running->exited', 'running->restarting', 'running->removing', 'running->dead',
        'paused->running', 'paused->exited', 'paused->removing', 'paused->dead',
        'restarting->running', 'restarting->exited', 'restarting->removing', 'restarting->dead',
        'exited->running', 'exited->restarting', 'exited->removing', 'exited->dead',
        'removing->dead', 'dead->removing',
      ].sort(),
    );
  });

  it('throws a conflict naming the container and both states', () => {
    expect(() => assertTransition(ID, 'exited', 'paused')).toThrow(`Container ${ID} cannot go from exited to paused`);
    try {
      assertTransition(ID, 'created', 'paused');
    } catch (err) {
      expect(err).toBeInstanceOf(ContainerError);
      expect((err as ContainerError).code).toBe('conflict');
      expect((err as ContainerError).containerId).toBe(ID);
    }
  });
});

describe('checkAction', () => {
  it("refuses rm of running, paused and restarting containers with Docker's words; force goes", () => {
    expect(() => checkAction('remove', ID, 'running')).toThrow(`You cannot remove a running container ${ID}. Stop the container before attempting removal or force remove`);
    expect(() => checkAction('remove', ID, 'paused')).toThrow(`You cannot remove a paused container ${ID}. Unpause and then stop the container before attempting removal or force remove`);
    expect(() => checkAction('remove', ID, 'restarting')).toThrow(/You cannot remove a restarting container/);
    expect(checkAction('force-remove', ID, 'running')).toBe('go');
    expect(checkAction('remove', ID, 'exited')).toBe('go');
    expect(checkAction('remove', ID, 'dead')).toBe('go');
    expect(() => checkAction('remove', ID, 'removing')).toThrow(`removal of container ${ID} is already in progress`);
  });

  it('pause, unpause, kill, exec and start follow Docker', () => {
    expect(() => checkAction('pause', ID, 'exited')).toThrow(`Container ${ID} is not running`);
    expect(() => checkAction('pause', ID, 'paused')).toThrow(`Container ${ID} is already paused`);
    expect(() => checkAction('unpause', ID, 'running')).toThrow(`Container ${ID} is not paused`);
    expect(() => checkAction('kill', ID, 'created')).toThrow(`Container ${ID} is not running`);
    expect(() => checkAction('exec', ID, 'paused')).toThrow(`Container ${ID} is paused, unpause the container before exec`);
    expect(() => checkAction('start', ID, 'paused')).toThrow(/try unpause/);
    expect(() => checkAction('start', ID, 'dead')).toThrow(/is dead/);
    expect(checkAction('start', ID, 'running')).toBe('noop');
    expect(checkAction('stop', ID, 'exited')).toBe('noop');
    expect(checkAction('stop', ID, 'paused')).toBe('go');
    expect(checkAction('start', ID, 'exited')).toBe('go');
  });
});
