import { describe, expect, it } from 'vitest';
import { generateId, generateName, ID_PATTERN, isValidName, normalizeName } from './names.ts';

describe('container names and ids', () => {
  it('generates adjective_surname names that are free', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const name = generateName((n) => taken.has(n));
      expect(name).toMatch(/^[a-z]+_[a-z]+\d?$/);
      expect(taken.has(name)).toBe(false);
      expect(isValidName(name)).toBe(true);
      taken.add(name);
    }
  });

  it('never gives boring_wozniak and appends a digit after repeated collisions', () => {
    const seq = ['boring', 'wozniak', 'happy', 'turing', 'happy', 'turing', 'happy', 'turing', 'happy', 'turing'];
    let i = 0;
    const name = generateName((n) => n === 'happy_turing', () => seq[i++ % seq.length] as string);
    expect(name).toMatch(/^happy_turing\d$/);
  });

  it("validates like Docker: [a-zA-Z0-9][a-zA-Z0-9_.-]+, a leading / allowed", () => {
    for (const ok of ['web', 'web-1', 'a.b_c', '/web', 'A1']) expect(isValidName(ok), ok).toBe(true);
    for (const bad of ['', 'a', '-web', '_x', 'we b', 'x/y', 'über', '../x']) expect(isValidName(bad), bad).toBe(false);
    expect(normalizeName('/web')).toBe('web');
  });

  it('ids are 64 lowercase hex', () => {
    const a = generateId();
    expect(a).toMatch(ID_PATTERN);
    expect(generateId()).not.toBe(a);
  });
});
