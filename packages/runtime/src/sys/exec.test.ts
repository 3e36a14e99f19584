import { describe, expect, it } from 'vitest';
import { ExecError, hostExec } from './exec.ts';
import type { Exec } from './exec.ts';
import { recordingExec } from './exec-recorder.ts';

// The contract every Exec keeps: argv reaches the program untouched (no shell), and a
// non-zero exit is a result, not an exception.
function execSuite(name: string, make: () => Exec) {
  describe(`Exec contract: ${name}`, () => {
    it('passes arguments verbatim, shell metacharacters included', async () => {
      const r = await make().run(['/bin/echo', 'a b', '$(id)', ';', '*']);
      expect(r).toEqual({ code: 0, stdout: 'a b $(id) ; *\n', stderr: '' });
    });

    it('returns a non-zero exit code instead of throwing', async () => {
      expect((await make().run(['/bin/false'])).code).toBe(1);
    });
  });
}

execSuite('hostExec', () => hostExec());
// The double scripted like the two programs the contract uses.
execSuite('recordingExec', () =>
  recordingExec((argv) => {
    if (argv[0] === '/bin/echo') return { stdout: `${argv.slice(1).join(' ')}\n` };
    if (argv[0] === '/bin/false') return { code: 1 };
    return undefined;
  }),
);

describe('hostExec', () => {
  it('reports a missing program as ExecError not-found', async () => {
    await expect(hostExec().run(['/nonexistent/runc', '--version'])).rejects.toMatchObject({ name: 'ExecError', reason: 'not-found' });
  });

  it('kills a program that outlives its timeout', async () => {
    const err = await hostExec().run(['/bin/sleep', '5'], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).reason).toBe('timeout');
  });

  it('keeps stderr and stdout apart', async () => {
    const r = await hostExec().run(['/bin/ls', '/nonexistent-berth-path']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nonexistent-berth-path');
  });

  it('with detachedStdio returns the exit code without waiting on inherited pipes', async () => {
    expect(await hostExec().run(['/bin/true'], { detachedStdio: true })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await hostExec().run(['/bin/false'], { detachedStdio: true })).code).toBe(1);
  });
});

describe('recordingExec', () => {
  it('records every argv and options, and answers unscripted commands with 127', async () => {
    const exec = recordingExec((argv) => (argv[1] === '--version' ? { stdout: 'runc version 1.1.5\n' } : undefined));
    expect((await exec.run(['runc', '--version'])).stdout).toBe('runc version 1.1.5\n');
    const r = await exec.run(['ip', 'link', 'show'], { timeoutMs: 5 });
    expect(r.code).toBe(127);
    expect(exec.argvs()).toEqual([
      ['runc', '--version'],
      ['ip', 'link', 'show'],
    ]);
    expect(exec.calls[1]?.opts).toEqual({ timeoutMs: 5 });
  });
});
