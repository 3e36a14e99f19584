import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { isConflict, publishedPorts, replicasPerHost, replicaStateWord, updateStateWord } from './services.ts';

describe('updateStateWord', () => {
  it('words the rolling update states as the dashboard shows them', () => {
    expect(['updating', 'rollback_started', 'paused', 'rollback_paused', 'rollback_completed', 'completed'].map(updateStateWord)).toEqual(['updating', 'rolling back', 'paused', 'paused', 'rolled back', 'completed']);
    expect(updateStateWord(null)).toBeNull();
  });
});

describe('replicaStateWord', () => {
  it('says failed for a replica whose container exited, as docker service ps does', () => {
    expect(replicaStateWord('exited')).toBe('failed');
    expect(replicaStateWord('gone')).toBe('orphaned');
    expect(replicaStateWord('running')).toBe('running');
  });
});

describe('publishedPorts', () => {
  it('prints the spec\'s -p entries as docker service ls does', () => {
    expect(publishedPorts(['8080:80', '127.0.0.1:5353:53/udp'])).toBe('0.0.0.0:8080->80/tcp, 127.0.0.1:5353->53/udp');
    expect(publishedPorts([])).toBe('');
  });
});

describe('replicasPerHost', () => {
  it('counts desired and running replicas per host, leaving out the shut-down ones', () => {
    const r = (host: string, desired: string, state: string) => ({ host, desired, state });
    expect(replicasPerHost([r('b', 'running', 'running'), r('a', 'running', 'starting'), r('a', 'running', 'running'), r('a', 'shutdown', 'exited'), r('c', 'history', 'exited')]))
      .toEqual([{ host: 'a', desired: 2, running: 1 }, { host: 'b', desired: 1, running: 1 }]);
  });
});

describe('isConflict', () => {
  it('tells a 409 from other refusals', () => {
    const err = (code: string) => new TRPCClientError('x', { result: { error: { message: 'x', code: -32000, data: { code, httpStatus: 409 } } } as never });
    expect(isConflict(err('CONFLICT'))).toBe(true);
    expect(isConflict(err('FORBIDDEN'))).toBe(false);
    expect(isConflict(new Error('CONFLICT'))).toBe(false);
  });
});
