import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupMode } from '../cgroups/mode.ts';
import { containerCgroupDirs, containerCgroupsPath, DEFAULT_CGROUP_PARENT } from '../cgroups/paths.ts';
import { removeCgroup } from '../cgroups/remove.ts';
import type { Exec } from '../sys/exec.ts';
import { rootedHostFs } from '../sys/host-fs.ts';
import type { HostFs } from '../sys/host-fs.ts';
import { DEFAULT_SEARCH_PATH, lookPath } from '../sys/look-path.ts';
import { parseProcLimits } from '../sys/procfs.ts';
import { NoWorkingRuntimeError } from './errors.ts';
import { writeProbeBundle } from './probe-bundle.ts';
import { OciRuntime } from './runtime.ts';

export interface DetectRuntimeOptions {
  stateDir: string;
  exec: Exec;
  /** Tried in order; the first that runs the probe is chosen. */
  candidates?: readonly string[];
  /** Colon-separated directories to find candidates in ($PATH, passed in by env.ts). */
  searchPath?: string;
  /** For /proc/self/limits and /proc/self/mountinfo. */
  hostFs?: HostFs;
  busyboxPath?: string;
  /** Where probe bundles are built. */
  tmpDir?: string;
  cgroupParent?: string;
  timeoutMs?: number;
}

/** How one candidate fared. */
export interface RuntimeProbe {
  name: string;
  /** null when not found on the search path. */
  path: string | null;
  version: string | null;
  ok: boolean;
  /** Why it was refused, in the runtime's words; null when ok. */
  reason: string | null;
  /** The probe container's id (and cgroup name). */
  probeId: string;
}

export interface DetectedRuntime {
  runtime: OciRuntime;
  chosen: RuntimeProbe;
  probes: RuntimeProbe[];
}

export const DEFAULT_RUNTIME_CANDIDATES: readonly string[] = ['crun', 'runc'];

/**
 * Finds an OCI runtime that works on this host by running a real probe container with each
 * candidate: being installed is not enough (Debian's crun refuses cgroup v1 hybrid hosts).
 */
export async function detectRuntime(opts: DetectRuntimeOptions): Promise<DetectedRuntime> {
  const candidates = opts.candidates ?? DEFAULT_RUNTIME_CANDIDATES;
  const probes: RuntimeProbe[] = [];
  for (const name of candidates) {
    const { probe, runtime } = await probeRuntime(name, opts);
    probes.push(probe);
    if (probe.ok && runtime) return { runtime, chosen: probe, probes };
  }
  const reasons = probes.map((p) => `${p.name}: ${p.reason ?? 'unknown'}`).join('; ');
  throw new NoWorkingRuntimeError(`no working OCI runtime: ${reasons}. Install runc or crun (apt-get install runc crun).`, probes);
}

async function probeRuntime(name: string, opts: DetectRuntimeOptions): Promise<{ probe: RuntimeProbe; runtime: OciRuntime | null }> {
  const probeId = `probe-${randomBytes(6).toString('hex')}`;
  const searchPath = opts.searchPath ?? DEFAULT_SEARCH_PATH;
  const path = await lookPath(name, searchPath);
  if (!path) return { probe: { name, path, version: null, ok: false, reason: `not found on PATH (${searchPath})`, probeId }, runtime: null };

  const runtime = new OciRuntime({ name, path, stateDir: opts.stateDir, exec: opts.exec, timeoutMs: opts.timeoutMs });
  // a reason is shown on one line (host facts, start-up errors): the first line of the runtime's message
  const fail = (version: string | null, reason: string) => ({ probe: { name, path, version, ok: false, reason: oneLine(reason), probeId }, runtime: null });

  let version: string | null = null;
  try {
    version = (await runtime.version()).version;
  } catch (err) {
    return fail(null, (err as Error).message);
  }

  const hostFs = opts.hostFs ?? rootedHostFs();
  const parent = opts.cgroupParent ?? DEFAULT_CGROUP_PARENT;
  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), `berth-${name}-probe-`));
  try {
    const limits = parseProcLimits(await hostFs.readFile('/proc/self/limits').catch(() => ''));
    const bundle = await writeProbeBundle(dir, {
      busyboxPath: opts.busyboxPath ?? '/bin/busybox',
      cgroupsPath: containerCgroupsPath(probeId, parent),
      hostLimits: limits,
    });
    const result = await runtime.run(probeId, bundle, { timeoutMs: opts.timeoutMs ?? 15_000 });
    if (result.code !== 0) {
      return fail(version, result.runtimeError ?? (result.stderr.trim() || `probe container exited ${result.code}`));
    }
    return { probe: { name, path, version, ok: true, reason: null, probeId }, runtime };
  } catch (err) {
    return fail(version, (err as Error).message);
  } finally {
    await cleanupProbe(runtime, probeId, hostFs, parent);
    await rm(dir, { recursive: true, force: true });
  }
}

// `run` deletes the container when it exits; this covers probes that failed halfway.
async function cleanupProbe(runtime: OciRuntime, probeId: string, hostFs: HostFs, parent: string): Promise<void> {
  await runtime.delete(probeId, { force: true }).catch(() => undefined);
  try {
    const layout = detectCgroupMode(await hostFs.readFile('/proc/self/mountinfo'));
    await removeCgroup(containerCgroupDirs(layout, probeId, parent));
  } catch {
    // Best effort: a host without cgroups could not have run the probe either.
  }
}

function oneLine(message: string): string {
  const first = message.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = first.length > 1 ? `${first[0]} …` : (first[0] ?? message);
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
