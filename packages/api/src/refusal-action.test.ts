import { describe, expect, it } from 'vitest';
import { refusalAction, rawChoice } from './refusal-action.ts';
import { appRouter } from './root.ts';
import type { Meta } from './trpc.ts';

/**
 * Mutations whose success is not audited: a refusal of one keeps the procedure's path as its
 * action. A new mutation goes here only when it changes nothing worth an audit entry.
 */
const UNAUDITED = new Set([
  // ends the caller's own session; only logoutEverywhere is audited
  'auth.logout',
  // waits for a container to stop and reads its exit code: changes nothing
  'containers.wait',
  // stops an SSH installation this admin started; the installation itself records host.add-ssh
  'hosts.cancelAddOverSsh',
]);

// at run time a flat record by dotted path (its declared type is the nested one)
const byPath = appRouter._def.procedures as unknown as Record<string, { _def: { type: string; meta?: Meta } }>;
const meta = (path: string) => byPath[path]!._def.meta;
const mutations = Object.entries(byPath).filter(([, p]) => p._def.type === 'mutation');

describe('every mutation names the audit action its refusal is recorded under', () => {
  it('has a meta action, or is listed as unaudited', () => {
    expect(mutations.length).toBeGreaterThan(50);
    const missing = mutations.filter(([path, p]) => p._def.meta?.action === undefined && !UNAUDITED.has(path)).map(([path]) => path);
    expect(missing, 'add .meta({ action }) with the action its success is audited under, or list it in UNAUDITED').toEqual([]);
  });

  it('lists as unaudited only mutations that exist and declare no action', () => {
    const all = new Map(mutations);
    for (const path of UNAUDITED) {
      expect(all.has(path), path).toBe(true);
      expect(all.get(path)!._def.meta?.action, path).toBeUndefined();
    }
  });

  it('names actions as the audit log does (domain.verb, lower case)', () => {
    for (const [path, p] of mutations) {
      const action = p._def.meta?.action;
      if (typeof action === 'string') expect(action, path).toMatch(/^[a-z-]+(\.[a-z-]+)+$/);
    }
  });

  it('keeps the factories\' own meta next to the action (tRPC merges meta shallowly)', () => {
    expect(meta('containers.create')).toMatchObject({ host: { role: 'operator', what: 'creating a container' }, action: 'container.create' });
    expect(meta('secrets.create')).toMatchObject({ teamObject: { kind: 'secret', role: 'operator' } });
    expect(meta('stacks.deployCompose')).toMatchObject({ teamObject: { kind: 'stack' }, action: 'stack.deploy' });
  });

  it('computes input-dependent actions from the raw input', () => {
    expect(refusalAction(meta('containers.action'), 'containers.action', { host: 'h1', id: 'web', action: 'stop' })).toBe('container.stop');
    expect(refusalAction(meta('containers.action'), 'containers.action', { action: 'format-disk' })).toBe('container.action');
    expect(refusalAction(meta('secrets.create'), 'secrets.create', { kind: 'config', name: 'x' })).toBe('config.create');
    expect(refusalAction(meta('secrets.remove'), 'secrets.remove', { kind: 'secret', name: 'x' })).toBe('secret.remove');
    expect(refusalAction(meta('secrets.remove'), 'secrets.remove', undefined)).toBe('secret.remove');
  });
});

describe('refusalAction', () => {
  it('takes a string as it is', () => {
    expect(refusalAction({ action: 'container.create' }, 'containers.create', {})).toBe('container.create');
  });

  it('applies a function to the raw input', () => {
    expect(refusalAction({ action: (i) => `container.${(i as { action: string }).action}` }, 'containers.action', { action: 'kill' })).toBe('container.kill');
  });

  it('falls back to the path when there is no action, or the function throws or gives no usable name', () => {
    expect(refusalAction(undefined, 'containers.wait', {})).toBe('containers.wait');
    expect(refusalAction({}, 'containers.wait', {})).toBe('containers.wait');
    expect(refusalAction({ action: (i) => (i as { a: { b: string } }).a.b }, 'x.y', null)).toBe('x.y');
    expect(refusalAction({ action: (() => 42) as unknown as () => string }, 'x.y', {})).toBe('x.y');
    expect(refusalAction({ action: () => '' }, 'x.y', {})).toBe('x.y');
    expect(refusalAction({ action: () => 'a'.repeat(65) }, 'x.y', {})).toBe('x.y');
  });
});

describe('rawChoice', () => {
  it('gives the field only when it is one of the allowed strings', () => {
    expect(rawChoice({ kind: 'config' }, 'kind', ['secret', 'config'])).toBe('config');
    expect(rawChoice({ kind: 'other' }, 'kind', ['secret', 'config'])).toBeUndefined();
    expect(rawChoice({ kind: 1 }, 'kind', ['secret', 'config'])).toBeUndefined();
    expect(rawChoice('config', 'kind', ['secret', 'config'])).toBeUndefined();
    expect(rawChoice(null, 'kind', ['secret', 'config'])).toBeUndefined();
  });
});
