import { describe, expect, it } from 'vitest';
import { interpolate, InterpolationError, variablesIn } from './interpolate.ts';

const env: Record<string, string> = { SET: 'value', EMPTY: '', FOO: 'foo' };
const run = (text: string) => interpolate(text, (n) => env[n]);
const value = (text: string) => run(text).value;

describe('interpolate', () => {
  it('substitutes $VAR and ${VAR}', () => {
    expect(value('a-$SET-b')).toBe('a-value-b');
    expect(value('${SET}x')).toBe('valuex');
    expect(value('$SET$FOO')).toBe('valuefoo');
  });

  it('gives "" for an unset variable and reports it', () => {
    expect(run('host-${NOPE}')).toEqual({ value: 'host-', unset: ['NOPE'] });
    expect(run('$NOPE')).toEqual({ value: '', unset: ['NOPE'] });
    expect(run('${EMPTY}')).toEqual({ value: '', unset: [] });
  });

  it('takes defaults: :- when unset or empty, - only when unset', () => {
    expect(value('${NOPE:-d}')).toBe('d');
    expect(value('${EMPTY:-d}')).toBe('d');
    expect(value('${SET:-d}')).toBe('value');
    expect(value('${NOPE-d}')).toBe('d');
    expect(value('${EMPTY-d}')).toBe('');
    expect(run('${NOPE:-d}').unset).toEqual([]);
  });

  it('takes alternatives: :+ when set and non-empty, + when set', () => {
    expect(value('${SET:+alt}')).toBe('alt');
    expect(value('${EMPTY:+alt}')).toBe('');
    expect(value('${NOPE:+alt}')).toBe('');
    expect(value('${EMPTY+alt}')).toBe('alt');
    expect(value('${NOPE+alt}')).toBe('');
  });

  it('fails with the message of a required variable: :? when unset or empty, ? when unset', () => {
    expect(() => run('${NOPE:?set NOPE to the API key}')).toThrow(new InterpolationError('required variable NOPE is missing a value: set NOPE to the API key'));
    expect(() => run('${EMPTY:?needed}')).toThrow('required variable EMPTY is missing a value: needed');
    expect(value('${EMPTY?needed}')).toBe('');
    expect(() => run('${NOPE?needed}')).toThrow('required variable NOPE is missing a value: needed');
    expect(value('${SET:?needed}')).toBe('value');
  });

  it('expands nested operands, only the one used', () => {
    expect(value('${NOPE:-${FOO}}')).toBe('foo');
    expect(value('${NOPE:-${ALSO_NOPE:-deep}}')).toBe('deep');
    expect(value('${SET?$FOO is missing}')).toBe('value');
    expect(() => run('${NOPE?$FOO is missing}')).toThrow('required variable NOPE is missing a value: foo is missing');
    expect(run('${SET:-${UNUSED}}')).toEqual({ value: 'value', unset: [] });
  });

  it('keeps $$ as one literal $, and a $ that starts no variable as written', () => {
    expect(value('$$SET')).toBe('$SET');
    expect(value('$${SET}')).toBe('${SET}');
    expect(value('price: 5$ or $1, $-x, $')).toBe('price: 5$ or $1, $-x, $');
    expect(value('${NOPE:-$$HOME}')).toBe('$HOME');
  });

  it('refuses templates compose refuses', () => {
    expect(() => run('${SET')).toThrow('invalid interpolation format "${SET": the "${" has no closing "}". You may need to escape any $ with another $');
    expect(() => run('${}')).toThrow('does not start with a variable name');
    expect(() => run('${SET/a/b}')).toThrow('"${SET/a/b}" is not supported');
    expect(() => run('${1X}')).toThrow(InterpolationError);
  });
});

describe('variablesIn', () => {
  it('names every variable, in defaults and nested operands too', () => {
    expect(variablesIn('${A:-${B:-$C}} $D $$E ${F?${G}}')).toEqual(['A', 'B', 'C', 'D', 'F', 'G']);
    expect(variablesIn('no variables, only $$ and $1')).toEqual([]);
  });
});
