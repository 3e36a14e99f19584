import { describe, expect, it } from 'vitest';
import { type EnvFileError, parseEnvFile } from './env-file.ts';

const env: Record<string, string> = { HOME: '/home/ops', FROM_ENV: 'outside' };
const read = (text: string) => parseEnvFile(text, (n) => env[n]);

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, skipping comments and blank lines', () => {
    expect(read('# settings\n\nA=1\nB=two words\nexport C=3\n  D = spaced  \n')).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', '3'],
      ['D', 'spaced'],
    ]);
  });

  it('cuts an inline comment after a blank, but keeps # inside a value', () => {
    expect(read('A=value # note\nB=abc#def\n')).toEqual([
      ['A', 'value'],
      ['B', 'abc#def'],
    ]);
  });

  it('keeps single-quoted values literal and unescapes double-quoted ones', () => {
    expect(read(`A='$HOME \\n # x'\nB="line1\\nline2 \\"q\\" # y"\nC=""\n`)).toEqual([
      ['A', '$HOME \\n # x'],
      ['B', 'line1\nline2 "q" # y'],
      ['C', ''],
    ]);
  });

  it('reads a quoted value over several lines', () => {
    expect(read('KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nNEXT=1\n')).toEqual([
      ['KEY', '-----BEGIN KEY-----\nabc\n-----END KEY-----'],
      ['NEXT', '1'],
    ]);
  });

  it('expands variables from earlier lines, then the environment', () => {
    expect(read('BASE=/srv\nDATA=${BASE}/data\nH="$HOME/x"\nLIT=\'${BASE}\'\nD=${NOPE:-dflt}\nESC=$$BASE\n')).toEqual([
      ['BASE', '/srv'],
      ['DATA', '/srv/data'],
      ['H', '/home/ops/x'],
      ['LIT', '${BASE}'],
      ['D', 'dflt'],
      ['ESC', '$BASE'],
    ]);
  });

  it('takes a bare KEY from the environment, or leaves it out', () => {
    expect(read('FROM_ENV\nNOT_SET\n')).toEqual([['FROM_ENV', 'outside']]);
  });

  it('lets a later line win', () => {
    expect(read('A=1\nA=2\n')).toEqual([['A', '2']]);
  });

  it('names the line of a bad entry', () => {
    const err = (text: string) => {
      try {
        read(text);
      } catch (e) {
        return e as EnvFileError;
      }
      throw new Error('parsed');
    };
    expect(err('A=1\nnot a key=2\n')).toMatchObject({ line: 2, message: '"not a key" is not a variable name: write KEY=VALUE' });
    expect(err('A=1\nB="open\nC=3\n')).toMatchObject({ line: 2, message: 'the value of B has no closing "' });
    expect(err('A="x" y\n')).toMatchObject({ line: 1, message: 'unexpected "y" after the quoted value of A' });
    expect(err('A=${NOPE:?is required}\n')).toMatchObject({ line: 1, message: 'required variable NOPE is missing a value: is required' });
  });
});
