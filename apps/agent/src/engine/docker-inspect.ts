import type { ContainerRecord, HealthcheckConfig, HealthState } from '@berth/runtime';
import { dockerNetworkInspect } from './docker-ports.ts';

/** The COMMAND column of `docker ps`, before truncation: path and args joined, as dockerd does. */
export function commandLine(r: ContainerRecord): string {
  return [r.path, ...r.args].join(' ');
}

/** `docker inspect` of a container, in Docker's field names, for tools and eyes that know them. */
export function dockerInspect(r: ContainerRecord): Record<string, unknown> {
  const s = r.state;
  const c = r.config;
  const res = c.resources ?? {};
  const net = dockerNetworkInspect(r);
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health ? { Health: dockerHealth(s.health) } : {}),
    },
    Image: r.image.id ?? '',
    Name: `/${r.name}`,
    RestartCount: s.restartCount,
    HostConfig: {
      Binds: (c.binds ?? []).map((b) => `${b.source}:${b.destination}${b.readonly ? ':ro' : ''}`),
      RestartPolicy: { Name: c.restartPolicy?.name ?? 'no', MaximumRetryCount: c.restartPolicy?.maximumRetryCount ?? 0 },
      AutoRemove: !!c.autoRemove,
      Privileged: !!c.privileged,
      // docker's HostConfig.UsernsMode: "host" when asked for, "" otherwise (remapped or not)
      UsernsMode: c.usernsMode ?? '',
      ReadonlyRootfs: !!c.readonlyRootfs,
      CapAdd: c.capAdd ?? null,
      CapDrop: c.capDrop ?? null,
      Tmpfs: Object.fromEntries((c.tmpfs ?? []).map((t) => [t.destination, (t.options ?? []).join(',')])),
      Memory: res.memory ?? 0,
      MemorySwap: res.memorySwap ?? 0,
      NanoCpus: res.nanoCpus ?? 0,
      CpuShares: res.cpuShares ?? 0,
      PidsLimit: res.pidsLimit ?? null,
      CgroupParent: r.cgroupsPath,
      ...net.hostConfig,
    },
    Mounts: [
      ...(c.binds ?? []).map((b) => ({ Type: 'bind', Source: b.source, Destination: b.destination, RW: !b.readonly })),
      ...(c.volumes ?? []).map((v) => ({ Type: 'volume', Name: v.name, Destination: v.destination, RW: !v.readonly })),
      ...(c.tmpfs ?? []).map((t) => ({ Type: 'tmpfs', Destination: t.destination, RW: true })),
      // a secret's name and place, never its content (Swarm shows them in the task's spec)
      ...(c.files ?? []).map((f) => ({ Type: f.kind, Name: f.name, Destination: f.target, RW: false, Mode: `0${f.mode.toString(8)}`, UID: String(f.uid), GID: String(f.gid) })),
    ],
    Config: {
      Hostname: c.hostname ?? r.id.slice(0, 12),
      User: c.user ?? r.imageConfig.User ?? '',
      Tty: !!c.tty,
      OpenStdin: !!c.openStdin,
      Env: [...(r.imageConfig.Env ?? []), ...(c.env ?? [])],
      Cmd: c.cmd ?? r.imageConfig.Cmd ?? null,
      Image: r.image.ref,
      WorkingDir: c.workingDir ?? r.imageConfig.WorkingDir ?? '',
      Entrypoint: c.entrypoint ?? r.imageConfig.Entrypoint ?? null,
      Labels: { ...(r.imageConfig.Labels ?? {}), ...(c.labels ?? {}) },
      StopSignal: c.stopSignal ?? 'SIGTERM',
      StopTimeout: c.stopTimeout ?? 10,
      ...(c.healthcheck ? { Healthcheck: dockerHealthConfig(c.healthcheck) } : {}),
      ...net.config,
    },
    NetworkSettings: net.networkSettings,
  };
}

const NS_PER_MS = 1_000_000;

/** Config.Healthcheck: durations in nanoseconds, zero fields left out (Go's omitempty). */
export function dockerHealthConfig(hc: HealthcheckConfig): Record<string, unknown> {
  const ns = (ms: number | undefined) => (ms ? ms * NS_PER_MS : undefined);
  const fields = { Test: hc.test, Interval: ns(hc.intervalMs), Timeout: ns(hc.timeoutMs), StartPeriod: ns(hc.startPeriodMs), StartInterval: ns(hc.startIntervalMs), Retries: hc.retries || undefined };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** State.Health: Status, FailingStreak and the last results, oldest first. */
export function dockerHealth(h: HealthState): Record<string, unknown> {
  return {
    Status: h.status,
    FailingStreak: h.failingStreak,
    Log: h.log.map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })),
  };
}
