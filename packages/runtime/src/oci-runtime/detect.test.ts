import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingExec } from '../sys/exec-recorder.ts';
import { memoryHostFs } from '../sys/host-fs.ts';
import { HYBRID_HOST } from '../sys/fixtures/hosts.ts';
import type { Spec } from '../spec/types.ts';
import { detectRuntime } from './detect.ts';
import { NoWorkingRuntimeError } from './errors.ts';

const HYBRID_REFUSAL = 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2';

let work: string;
let binDir: string;
let stateDir: string;
let busybox: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-detect-unit-'));
  binDir = join(work, 'bin');
  stateDir = join(work, 'state');
  busybox = join(work, 'busybox');
  await mkdir(binDir);
  await writeFile(busybox, 'not really busybox');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

// Fake runtime binaries: detectRuntime only needs them to be executable files on the search path.
async function installFakes(...names: string[]) {
  for (const n of names) {
    await writeFile(join(binDir, n), '');
    await chmod(join(binDir, n), 0o755);
  }
}

const logArg = (argv: readonly string[]) => argv[argv.indexOf('--log') + 1] as string;
const bundleArg = (argv: readonly string[]) => argv[argv.indexOf('--bundle') + 1] as string;

describe('detectRuntime', () => {
  it('skips crun when it refuses the probe, picks runc, and builds the probe bundle within host limits', async () => {
    await installFakes('crun', 'runc');
    let probeSpec: Spec | undefined;
    const exec = recordingExec(async (argv) => {
      const name = argv[0]?.endsWith('crun') ? 'crun' : 'runc';
      if (argv[1] === '--version') return { stdout: `${name} version ${name === 'crun' ? '1.8.1' : '1.1.5'}\n` };
      if (argv.includes('run') && name === 'crun') {
        await writeFile(logArg(argv), `{"msg":"${HYBRID_REFUSAL}","level":"error","time":"x"}\n`);
        return { code: 1, stderr: HYBRID_REFUSAL };
      }
      if (argv.includes('run')) {
        probeSpec = JSON.parse(await readFile(join(bundleArg(argv), 'config.json'), 'utf8')) as Spec;
        return { code: 0 };
      }
      if (argv.includes('delete')) return { code: 1, stderr: 'container does not exist' };
      return undefined;
    });

    const found = await detectRuntime({
      stateDir,
      exec,
      searchPath: binDir,
      busyboxPath: busybox,
      tmpDir: work,
      hostFs: memoryHostFs(HYBRID_HOST.files),
      cgroupParent: 'berth-unit',
    });

    expect(found.chosen).toMatchObject({ name: 'runc', path: join(binDir, 'runc'), version: '1.1.5', ok: true, reason: null });
    expect(found.runtime.name).toBe('runc');
    expect(found.probes.map((p) => ({ name: p.name, ok: p.ok, reason: p.reason }))).toEqual([
      { name: 'crun', ok: false, reason: HYBRID_REFUSAL },
      { name: 'runc', ok: true, reason: null },
    ]);

    const runcRun = exec.argvs().find((a) => a[0]?.endsWith('runc') && a.includes('run'));
    expect(runcRun?.slice(0, 3)).toEqual([join(binDir, 'runc'), '--root', join(stateDir, 'runtime', 'runc')]);
    expect(runcRun?.slice(7)).toEqual(['run', '--bundle', expect.stringContaining('berth-runc-probe-'), found.chosen.probeId]);

    expect(probeSpec?.process.args).toEqual(['/bin/busybox', 'true']);
    expect(probeSpec?.root.readonly).toBe(true);
    expect(probeSpec?.root.path).toBe(join(bundleArg(runcRun ?? []), 'rootfs'));
    expect(probeSpec?.linux.cgroupsPath).toBe(`/berth-unit/${found.chosen.probeId}`);
    expect(probeSpec?.linux.namespaces?.map((n) => n.type)).toEqual(['pid', 'mount', 'ipc', 'uts', 'network']);
    // The fixture host's hard open-files limit is 20000.
    expect(probeSpec?.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 }]);
  });

  it('explains what to install when nothing works', async () => {
    await installFakes('crun');
    const exec = recordingExec(async (argv) => {
      if (argv[1] === '--version') return { stdout: 'crun version 1.8.1\n' };
      if (argv.includes('run')) {
        await writeFile(logArg(argv), `{"msg":"${HYBRID_REFUSAL}","level":"error"}\n`);
        return { code: 1 };
      }
      return { code: 0 };
    });
    const err = await detectRuntime({ stateDir, exec, searchPath: binDir, busyboxPath: busybox, tmpDir: work, hostFs: memoryHostFs(HYBRID_HOST.files) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoWorkingRuntimeError);
    expect((err as Error).message).toBe(
      `no working OCI runtime: crun: ${HYBRID_REFUSAL}; runc: not found on PATH (${binDir}). Install runc or crun (apt-get install runc crun).`,
    );
  });
});
