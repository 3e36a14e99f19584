import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, parseFingerprint } from './fingerprint.ts';
import { keyTypeOf } from './ssh.ts';

describe('host key fingerprints', () => {
  it('match what ssh-keygen -l -E sha256 prints for the same key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fp-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
      const blob = Buffer.from(readFileSync(join(dir, 'k.pub'), 'utf8').split(' ')[1]!, 'base64');
      const expected = /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }))![0];
      expect(fingerprintOf(blob)).toBe(expected);
      expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses what users paste, and refuses what is not a fingerprint', () => {
    const fp = `SHA256:${'a'.repeat(43)}`;
    expect(parseFingerprint(` ${fp}= `)).toBe(fp);
    expect(parseFingerprint('a'.repeat(43))).toBe(fp);
    expect(() => parseFingerprint('MD5:aa:bb')).toThrow(/not a SHA256 host key fingerprint/);
    expect(() => parseFingerprint(`SHA256:${'a'.repeat(42)}`)).toThrow();
  });
});
