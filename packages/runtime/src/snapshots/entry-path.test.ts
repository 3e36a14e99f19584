import { describe, expect, it } from 'vitest';
import { classifyWhiteout, cleanEntryPath, cleanLinkTarget, symlinkEscapes } from './entry-path.ts';
import { LayerError } from './errors.ts';

describe('cleanEntryPath', () => {
  it.each([
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['etc//passwd', 'etc/passwd'],
    ['etc/./passwd', 'etc/passwd'],
    ['etc/', 'etc'],
    ['./', ''],
    ['.', ''],
    ['..foo/..bar', '..foo/..bar'],
  ])('%j → %j', (input, clean) => {
    expect(cleanEntryPath(input)).toBe(clean);
  });

  it.each([
    ['../etc/passwd', /has a '\.\.' component/],
    ['a/../../b', /has a '\.\.' component/],
    ['a/../b', /has a '\.\.' component/],
    ['./..', /has a '\.\.' component/],
    ['/etc/passwd', /has an absolute path/],
    ['//etc', /has an absolute path/],
    ['a\0b', /NUL byte/],
  ])('refuses %j', (input, message) => {
    expect(() => cleanEntryPath(input)).toThrow(LayerError);
    expect(() => cleanEntryPath(input)).toThrow(message);
    expect(() => cleanEntryPath(input)).toThrow(`layer entry ${JSON.stringify(input)}`);
  });
});

describe('cleanLinkTarget', () => {
  it('keeps targets inside the layer and refuses the rest, naming the entry', () => {
    expect(cleanLinkTarget('b', './a/x')).toBe('a/x');
    expect(() => cleanLinkTarget('b', '../../etc/passwd')).toThrow('layer entry "b" is a hardlink to "../../etc/passwd", outside the layer: refusing to unpack this layer');
    expect(() => cleanLinkTarget('b', '/etc/passwd')).toThrow(/is a hardlink to the absolute path "\/etc\/passwd"/);
    expect(() => cleanLinkTarget('b', '.')).toThrow(/hardlink to the layer root/);
  });
});

describe('symlinkEscapes', () => {
  it.each([
    ['bin/sh', '/bin/busybox', false],
    ['bin/sh', 'busybox', false],
    ['usr/bin/x', '../../bin/x', false],
    ['usr/bin/x', '../../../etc', true],
    ['x', '..', true],
    ['a/b', 'c/../../..', true],
    ['a/b', './c/./../d', false],
  ])('%s → %s: %s', (path, target, escapes) => {
    expect(symlinkEscapes(path, target)).toBe(escapes);
  });
});

describe('classifyWhiteout', () => {
  it.each([
    ['etc/passwd', { kind: 'regular' }],
    ['etc/.wh.passwd', { kind: 'whiteout', target: 'etc/passwd' }],
    ['.wh.etc', { kind: 'whiteout', target: 'etc' }],
    ['var/www/.wh..wh..opq', { kind: 'opaque', dir: 'var/www' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '' }],
    ['.wh..wh.plnk/1.2', { kind: 'regular' }],
    ['x/.wh..wh.plnk', { kind: 'aufs-metadata' }],
    ['x/.whiteout', { kind: 'regular' }],
  ])('%s', (path, kind) => {
    expect(classifyWhiteout(path)).toEqual(kind);
  });

  it('refuses a whiteout naming nothing', () => {
    expect(() => classifyWhiteout('a/.wh.')).toThrow(/is a whiteout that names no file/);
    expect(() => classifyWhiteout('a/.wh...')).toThrow(/is a whiteout that names no file/);
  });
});
