import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { remoteCommand, shQuote } from './quote.ts';

/** What a real sh makes of a command line: each argument NUL-terminated. */
function argvThroughSh(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shQuote / remoteCommand', () => {
  const nasty = ["it's", '"double"', '$HOME', '`id`', '$(id)', 'a b\tc', 'new\nline', '\\', '*', '~root', ';rm -rf /', '&&', '|', '>x', "'", "''", '', '-n', 'ünï©ødé', '!event', '#hash', '{a,b}', '[x]'];

  it('passes every argument to the program unchanged through a real shell', () => {
    for (const arg of nasty) expect(argvThroughSh(remoteCommand([arg]))).toEqual([arg]);
    expect(argvThroughSh(remoteCommand(nasty))).toEqual(nasty);
  });

  it('leaves plain words bare and quotes everything else', () => {
    expect(shQuote('/tmp/berth-install.AbC123/src')).toBe('/tmp/berth-install.AbC123/src');
    expect(shQuote('--control-plane')).toBe('--control-plane');
    expect(shQuote('ws://10.0.0.1:80/agent')).toBe('ws://10.0.0.1:80/agent');
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shQuote('')).toBe("''");
    expect(shQuote('~root')).toBe("'~root'");
  });

  it('refuses NUL, which no program argument can hold', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
    expect(() => remoteCommand([])).toThrow(/empty/);
  });
});
