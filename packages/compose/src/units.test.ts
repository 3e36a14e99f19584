import { describe, expect, it } from 'vitest';
import { splitShellWords } from './shell-words.ts';
import { parseBytes, parseDurationMs } from './units.ts';

describe('parseDurationMs (Go durations)', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['0s', 0],
    ['100us', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['10', '1 m', 'ten seconds', '-5s', '', 's', '1d'])('%j is not a duration', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe('parseBytes (Docker sizes, binary multiples)', () => {
  it.each([
    ['512M', 512 * 1024 ** 2],
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1GiB', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['64kb', 64 * 1024],
    ['1000', 1000],
  ])('%s is %d bytes', (text, n) => expect(parseBytes(text)).toBe(n));

  it.each(['lots', '1x', '-1g', ''])('%j is not a size', (text) => expect(parseBytes(text)).toBeUndefined());
});

describe('splitShellWords (as compose splits a string command)', () => {
  it('splits on blanks and keeps quoted words whole', () => {
    expect(splitShellWords('nginx -g "daemon off;"')).toEqual(['nginx', '-g', 'daemon off;']);
    expect(splitShellWords(`sh -c 'echo "$HOME" && sleep 1'`)).toEqual(['sh', '-c', 'echo "$HOME" && sleep 1']);
    expect(splitShellWords('  a\tb\n c  ')).toEqual(['a', 'b', 'c']);
    expect(splitShellWords('')).toEqual([]);
    expect(splitShellWords('a "" b')).toEqual(['a', '', 'b']);
  });

  it('takes backslash escapes outside single quotes', () => {
    expect(splitShellWords('echo a\\ b "c\\"d" \'e\\f\'')).toEqual(['echo', 'a b', 'c"d', 'e\\f']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitShellWords('echo "oops')).toThrow('has an unclosed double quote');
    expect(() => splitShellWords("echo 'oops")).toThrow('has an unclosed single quote');
  });
});
