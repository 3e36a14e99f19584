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
      memory: 512 * 1024 * 1024, cpus: 0.5, restartPolicy: { name: 'on-failure', maximumRetryCount: 3 }, autoRemove: false, tty: false,
    });
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
