import type { ContainerNetworkState, NetworkAttachment, PortBinding } from '../network/config.ts';
import type { IdMappings } from '../userns/idmap.ts';

// What a container is made of: its rootfs source, its configuration and its state, as
// persisted in <stateDir>/containers/<id>/container.json.

/** The fields of an OCI image config berth runs with (image-spec config.md, "config"). */
export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
  Volumes?: Record<string, object>;
  /** HEALTHCHECK, durations in nanoseconds as Docker writes them. */
  Healthcheck?: ImageHealthcheck;
}

/** Docker's image config Healthcheck (moby api/types/container.HealthConfig); durations in ns. */
export interface ImageHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** Where a container's root filesystem comes from: read-only layer directories and the config. */
export interface RootfsSource {
  /** Extracted layers, top (newest) first, as overlayfs lowerdir wants them. */
  lowerDirs: string[];
  config: ImageConfig;
  /** What the user asked for ("busybox:latest"). */
  imageRef: string;
  /** The image id (config digest), when known. */
  imageId?: string;
  /** The layers come from a user namespace remap store: their owners are shifted by these. */
  idMappings?: IdMappings;
}

export interface TmpfsMountConfig {
  destination: string;
  /** mount(8) options such as size=64m,mode=1777. */
  options?: string[];
}

/** A service's secret or config, mounted read-only at `target`; its content is never in the config. */
export interface FileMountConfig {
  kind: 'secret' | 'config';
  name: string;
  target: string;
  uid: number;
  gid: number;
  mode: number;
}

export interface BindMountConfig {
  source: string;
  destination: string;
  readonly?: boolean;
}

export interface VolumeMountConfig {
  /** A named volume: <stateDir>/volumes/<name>/_data. */
  name: string;
  destination: string;
  readonly?: boolean;
}

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** on-failure only: give up after this many restarts; 0 = no limit. */
  maximumRetryCount?: number;
}

export interface Ulimit {
  /** "nofile", "nproc"... as `--ulimit` names them. */
  name: string;
  soft: number;
  hard: number;
}

export interface Resources {
  /** Bytes. */
  memory?: number;
  /** Memory plus swap in bytes; -1 unlimited; unset means twice `memory`, as in Docker. */
  memorySwap?: number;
  /** `--cpus 1.5` */
  nanoCpus?: number;
  /** `--cpu-shares` (relative weight, 1024 default). */
  cpuShares?: number;
  /** `--pids-limit`; 0 or -1 = unlimited. */
  pidsLimit?: number;
  ulimits?: Ulimit[];
}

/**
 * A container's healthcheck in milliseconds: test ['NONE'] (off), ['CMD', arg...] or
 * ['CMD-SHELL', command]. Unset fields take Docker's defaults when probing.
 */
export interface HealthcheckConfig {
  test?: string[];
  intervalMs?: number;
  timeoutMs?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
  retries?: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe's outcome, as docker inspect's State.Health.Log entries. */
export interface HealthcheckResult {
  /** RFC 3339 */
  start: string;
  end: string;
  /** 0 healthy; -1 when it could not run or exceeded its timeout. */
  exitCode: number;
  /** stdout and stderr, the first 4096 bytes. */
  output: string;
}

/** docker inspect's State.Health. */
export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  /** The last five results, oldest first. */
  log: HealthcheckResult[];
}

export interface ContainerConfig {
  /** Replaces the image's Entrypoint when set ([] clears it, as `--entrypoint ""`). */
  entrypoint?: string[];
  /** Replaces the image's Cmd when set. */
  cmd?: string[];
  /** KEY=value entries, merged over the image's Env. */
  env?: string[];
  workingDir?: string;
  /** "uid", "uid:gid", "name" or "name:group"; resolved in the rootfs. */
  user?: string;
  /** Defaults to the first 12 characters of the id. */
  hostname?: string;
  labels?: Record<string, string>;
  tty?: boolean;
  openStdin?: boolean;
  /** Close stdin when the first attached client ends its input (docker run -i without -d). */
  stdinOnce?: boolean;
  readonlyRootfs?: boolean;
  tmpfs?: TmpfsMountConfig[];
  binds?: BindMountConfig[];
  /** Secrets and configs (their content was given at create and lives in a tmpfs only). */
  files?: FileMountConfig[];
  volumes?: VolumeMountConfig[];
  resources?: Resources;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  /** `--userns=host`: no user namespace even when the engine remaps (BERTH_USERNS_REMAP). */
  usernsMode?: 'host';
  restartPolicy?: RestartPolicy;
  /** `--rm`: remove when the container exits (the caller does it on exit). */
  autoRemove?: boolean;
  /** Seconds `stop` waits before SIGKILL; default 10. */
  stopTimeout?: number;
  /** Signal `stop` sends first; default SIGTERM. */
  stopSignal?: string;
  /** `--network` as given: "bridge", "host", "none" or a network's name; unset = none. */
  networkMode?: string;
  /** The networks joined at start, first one carrying the default route (bridge modes only). */
  networks?: NetworkAttachment[];
  /** `-p`; hostPort 0 = a free port chosen at start. */
  portBindings?: PortBinding[];
  /** `-P`: every exposed port to a free host port. */
  publishAll?: boolean;
  /** `--expose` plus the image's ExposedPorts, as "80/tcp". */
  exposedPorts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `--add-host` */
  extraHosts?: { host: string; ip: string }[];
  /** The image's HEALTHCHECK merged with `--health-*` at create (Docker's merge, field by field). */
  healthcheck?: HealthcheckConfig;
}

/** Docker's seven states. */
export type ContainerStatus = 'created' | 'running' | 'restarting' | 'removing' | 'paused' | 'exited' | 'dead';

export interface ContainerStateRecord {
  status: ContainerStatus;
  /** Host pid of the container's init process while it runs; 0 otherwise. */
  pid: number;
  /** pid of the conmon holding the container. */
  conmonPid: number;
  exitCode: number;
  /** RFC 3339; "" until first started, as Docker's "0001-01-01T00:00:00Z". */
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  restartCount: number;
  /** Set when `stop` (or `kill`) ended it: restart policies other than "always" do not apply. */
  hasBeenManuallyStopped: boolean;
  /** Why the last start failed. */
  error: string;
  /** Present while the container has a healthcheck that runs. */
  health?: HealthState;
}

export interface ContainerRecord {
  id: string;
  name: string;
  created: string;
  image: { ref: string; id: string | null };
  rootfs: { lowerDirs: string[]; idMappings?: IdMappings };
  /** The user namespace it runs in (userns-remap); absent: the host's. */
  userns?: IdMappings;
  /** The image config as it was at create time, for inspect. */
  imageConfig: ImageConfig;
  config: ContainerConfig;
  /** The process args the container runs (entrypoint + cmd resolved). */
  path: string;
  args: string[];
  /** The cgroups path given to the runtime, e.g. /berth/<id>. */
  cgroupsPath: string;
  state: ContainerStateRecord;
  /** Its endpoints and published ports while it runs. */
  network?: ContainerNetworkState;
}
