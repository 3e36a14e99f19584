import { describe, expect, it } from 'vitest';
import { withProgress } from './progress.ts';

describe('withProgress', () => {
  const a = { digest: 'sha256:a', done: 0 };
  const b = { digest: 'sha256:b', done: 0 };

  it('adds a digest reported for the first time at the end', () => {
    expect(withProgress([a], b)).toEqual([a, b]);
  });

  it('replaces the entry of a digest already listed, in its place, without changing the list it was given', () => {
    const list = [a, b];
    const moved = { digest: 'sha256:a', done: 10 };
    expect(withProgress(list, moved)).toEqual([moved, b]);
    expect(list).toEqual([a, b]);
  });
});
