// A lab per test file: created before the first test, destroyed after the last, failed or not.
import { afterAll, beforeAll } from 'vitest';
import { createLab } from './lab.ts';
import type { Lab, LabOptions } from './lab.ts';

/** Call at the top of a describe block; the returned getter gives the lab inside tests. */
export function useLab(hosts: number, options: Omit<LabOptions, 'hosts'> = {}): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await createLab({ hosts, ...options });
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  return () => {
    if (!lab) throw new Error('useLab: the lab exists only inside tests and hooks (after beforeAll)');
    return lab;
  };
}
