import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingExec } from '../sys/exec-recorder.ts';
import type { ExecResponder } from '../sys/exec-recorder.ts';
import { OciRuntimeError } from './errors.ts';
import { lastLoggedError } from './runtime-log.ts';
import { OciRuntime, parseVersion } from './runtime.ts';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'berth-runtime-unit-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const logArg = (argv: readonly string[]) => argv[argv.indexOf('--log') + 1] as string;
// A runc whose every command is answered by `responder` and recorded.
const runtimeWith = (responder: ExecResponder) => {
  const exec = recordingExec(responder);
  return { exec, runc: new OciRuntime({ name: 'runc', path: '/usr/sbin/runc', stateDir, exec }) };
};

describe('OciRuntime command lines', () => {
  it('runs every command with its own --root under the state dir and a JSON log', async () => {
    const { exec, runc } = runtimeWith((argv) => {
      if (argv.includes('state')) return { stdout: JSON.stringify({ ociVersion: '1.0.2', id: 'c1', pid: 42, status: 'running', bundle: '/b', created: 't' }) };
      return { code: 0 };
    });
    await runc.create('c1', '/b', { pidFile: '/run/c1.pid', consoleSocket: '/run/c1.sock' });
    await runc.start('c1');
    expect(await runc.state('c1')).toEqual({ id: 'c1', status: 'running', pid: 42, bundle: '/b', created: 't' });
    await runc.kill('c1', 'SIGTERM', { all: true });
    await runc.pause('c1');
    await runc.resume('c1');
    await runc.delete('c1', { force: true });

    const root = join(stateDir, 'runtime', 'runc');
    for (const argv of exec.argvs()) {
      expect(argv.slice(0, 3)).toEqual(['/usr/sbin/runc', '--root', root]);
      expect(argv.slice(4, 7)).toEqual([logArg(argv), '--log-format', 'json']);
    }
    expect(exec.argvs().map((a) => a.slice(7))).toEqual([
      ['create', '--bundle', '/b', '--pid-file', '/run/c1.pid', '--console-socket', '/run/c1.sock', 'c1'],
      ['start', 'c1'],
      ['state', 'c1'],
      ['kill', '--all', 'c1', 'SIGTERM'],
      ['pause', 'c1'],
      ['resume', 'c1'],
      ['delete', '--force', 'c1'],
    ]);
    // create leaves the container holding its stdio: it must not be piped.
    expect(exec.calls[0]?.opts.detachedStdio).toBe(true);
    // Per-command logs are removed afterwards.
    expect(await readdir(join(stateDir, 'runtime', 'logs'))).toEqual([]);
  });

  it('refuses ids that could be read as flags or paths before running anything', async () => {
    const { exec, runc } = runtimeWith(() => ({ code: 0 }));
    await expect(runc.start('--all')).rejects.toThrow('runc: invalid container id "--all"');
    await expect(runc.delete('../x')).rejects.toThrow(/invalid container id/);
    expect(exec.calls).toHaveLength(0);
  });
});

describe('OciRuntime errors', () => {
  it("carry the runtime, the container and the runtime's last logged error", async () => {
    const { runc } = runtimeWith(async (argv) => {
      await writeFile(logArg(argv), '{"level":"warning","msg":"ignored"}\n{"level":"error","msg":"container_linux.go:380: starting container process caused: exec: \\"nope\\": executable file not found in $PATH","time":"x"}\n');
      return { code: 1, stderr: 'noise' };
    });
    const err = (await runc.create('c1', '/bundles/c1', { pidFile: '/p' }).catch((e: unknown) => e)) as OciRuntimeError;
    expect(err).toBeInstanceOf(OciRuntimeError);
    expect(err.message).toBe(
      `runc create c1 failed: container_linux.go:380: starting container process caused: exec: "nope": executable file not found in $PATH (root ${join(stateDir, 'runtime', 'runc')}, bundle /bundles/c1)`,
    );
    expect(err.details).toMatchObject({ runtime: 'runc', command: 'create', containerId: 'c1', exitCode: 1, notFound: false });
  });

  it('mark a missing container as notFound', async () => {
    const { runc } = runtimeWith(async (argv) => {
      await writeFile(logArg(argv), '{"level":"error","msg":"container does not exist","time":"x"}\n');
      return { code: 1 };
    });
    const err = (await runc.state('gone').catch((e: unknown) => e)) as OciRuntimeError;
    expect(err.details.notFound).toBe(true);
    expect(err.message).toMatch(/^runc state gone failed: container does not exist: container gone does not exist in /);
  });

  it('fall back to stderr when nothing was logged', async () => {
    const { runc } = runtimeWith(() => ({ code: 2, stderr: 'flag provided but not defined: -x\n' }));
    await expect(runc.start('c1')).rejects.toThrow(/^runc start c1 failed: flag provided but not defined: -x \(root /);
  });
});

describe('OciRuntime.run', () => {
  it('returns the exit code and, when the runtime failed, what it logged', async () => {
    const { runc } = runtimeWith(async (argv) => {
      await writeFile(logArg(argv), '{"msg":"cgroups in hybrid mode not supported, drop all controllers from cgroupv2","level":"error","time":"x"}\n');
      return { code: 1 };
    });
    const r = await runc.run('probe-1', '/b');
    expect(r.code).toBe(1);
    expect(r.runtimeError).toBe('cgroups in hybrid mode not supported, drop all controllers from cgroupv2');
  });
});

describe('parsers', () => {
  it('parseVersion reads runc and crun --version output', () => {
    expect(parseVersion('runc', 'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n')).toEqual({
      name: 'runc',
      version: '1.1.5+ds1',
      spec: '1.0.2-dev',
      commit: '1.1.5+ds1-1+deb12u1',
    });
    expect(parseVersion('crun', 'crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX\n')).toMatchObject({
      version: '1.8.1',
      spec: '1.0.0',
    });
    expect(() => parseVersion('runc', 'garbage')).toThrow(/runc --version: no version/);
  });

  it('lastLoggedError prefers the last error entry, else the last message', () => {
    expect(lastLoggedError('{"level":"error","msg":"first"}\n{"level":"error","msg":"second"}\n{"level":"info","msg":"after"}\n')).toBe('second');
    expect(lastLoggedError('{"level":"info","msg":"only info"}\n')).toBe('only info');
    expect(lastLoggedError('plain text error\n')).toBe('plain text error');
    expect(lastLoggedError('')).toBeNull();
  });
});
