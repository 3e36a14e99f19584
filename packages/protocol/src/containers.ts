import { z } from 'zod';

/** Docker's seven container states. */
export const ContainerStatus = z.enum(['created', 'running', 'restarting', 'removing', 'paused', 'exited', 'dead']);
export type ContainerStatus = z.infer<typeof ContainerStatus>;

const ContainerRef = z.string().min(1).max(128);
const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Docker's HealthConfig (HEALTHCHECK in a Dockerfile, --health-* on run, healthcheck: in
 * compose), with durations in milliseconds. `test` is ['NONE'] (turn off the image's check),
 * ['CMD', arg...] (exec form) or ['CMD-SHELL', 'command'] (run by /bin/sh -c). A field left out
 * takes the image's value, then Docker's default (30 s interval, 30 s timeout, 3 retries,
 * start period 0, start interval 5 s).
 */
export const Healthcheck = z.object({
  test: z.array(z.string()).min(1).optional(),
  intervalMs: z.number().int().min(1).optional(),
  timeoutMs: z.number().int().min(1).optional(),
  startPeriodMs: z.number().int().min(0).optional(),
  startIntervalMs: z.number().int().min(1).optional(),
  retries: z.number().int().min(0).optional(),
});
export type Healthcheck = z.infer<typeof Healthcheck>;

/** A container's health as Docker names it; absent when it has no healthcheck. */
export const HealthStatus = z.enum(['starting', 'healthy', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatus>;

/** A secret or config as a file in a container; `data` is its content, base64 (Docker: at most 500 KB / 1000 KB). */
export const ContainerFile = z.object({
  kind: z.enum(['secret', 'config']),
  name: z.string().min(1).max(128),
  target: z.string().regex(/^\/[^\0]*$/, 'a secret\'s target is an absolute path').max(4096),
  uid: z.number().int().min(0).max(0xfffffffe).default(0),
  gid: z.number().int().min(0).max(0xfffffffe).default(0),
  mode: z.number().int().min(0).max(0o777).default(0o444),
  data: z.string().max(1_400_000),
});
export type ContainerFile = z.infer<typeof ContainerFile>;

/** The `docker run` flags berth carries over, in Docker's names. */
export const ContainerCreate = z.object({
  image: z.string().min(1).max(512),
  name: z.string().regex(NAME, 'a container name is [a-zA-Z0-9][a-zA-Z0-9_.-]+').optional(),
  cmd: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  env: z.array(z.string().regex(/^[^=]+=/, 'env is NAME=value')).default([]),
  workingDir: z.string().optional(),
  user: z.string().optional(),
  hostname: z.string().max(63).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  tty: z.boolean().default(false),
  openStdin: z.boolean().default(false),
  /** close stdin when the attached client ends its input (docker run -i without -d) */
  stdinOnce: z.boolean().default(false),
  readonlyRootfs: z.boolean().default(false),
  /** path → mount options, as --tmpfs /run:size=64m */
  tmpfs: z.record(z.string(), z.string()).default({}),
  /** -v host-or-volume:container[:ro] */
  binds: z.array(z.string()).default([]),
  memory: z.number().int().positive().optional(),
  memorySwap: z.number().int().optional(),
  cpus: z.number().positive().optional(),
  cpuShares: z.number().int().positive().optional(),
  pidsLimit: z.number().int().optional(),
  capAdd: z.array(z.string()).default([]),
  capDrop: z.array(z.string()).default([]),
  privileged: z.boolean().default(false),
  /** --userns=host: no user namespace for this container on a host that remaps (BERTH_USERNS_REMAP); its root is the host's */
  userns: z.enum(['host']).optional(),
  restartPolicy: z.object({ name: z.enum(['no', 'on-failure', 'always', 'unless-stopped']), maximumRetryCount: z.number().int().nonnegative().default(0) }).default({ name: 'no', maximumRetryCount: 0 }),
  autoRemove: z.boolean().default(false),
  /** --network: bridge, host, none, or a network's name or id; absent = the host's default (bridge, or none when it has no default bridge) */
  network: z.string().min(1).max(128).optional(),
  /** --network-alias: more names for the container on a user-defined network */
  networkAliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'an alias is [a-zA-Z0-9][a-zA-Z0-9_.-]*')).default([]),
  /** --ip */
  ipv4Address: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/).optional(),
  /** -p [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL], parsed by parsePublish */
  publish: z.array(z.string().max(64)).default([]),
  /** -P: every exposed port to a free host port */
  publishAll: z.boolean().default(false),
  /** --expose PORT[/PROTOCOL] */
  expose: z.array(z.string().max(32)).default([]),
  /** --dns, --dns-search, --dns-option */
  dns: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, '--dns takes an IPv4 address')).default([]),
  dnsSearch: z.array(z.string().regex(/^[a-zA-Z0-9.-]+$/)).default([]),
  dnsOption: z.array(z.string().regex(/^[a-zA-Z0-9:_-]+$/)).default([]),
  /** --add-host NAME:IP */
  addHost: z.array(z.string().max(300)).default([]),
  /** --health-cmd and friends; { test: ['NONE'] } is --no-healthcheck */
  healthcheck: Healthcheck.optional(),
  /**
   * A service's secrets and configs, sent by the control plane's reconciler only: the agent
   * keeps them in memory (a tmpfs per container) and mounts each read-only at its target.
   */
  files: z.array(ContainerFile).max(64).default([]),
});
export type ContainerCreate = z.infer<typeof ContainerCreate>;

/** One row of `docker ps`. */
export const ContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  created: z.number(),
  state: ContainerStatus,
  /** "Up 5 minutes", "Exited (0) 2 seconds ago", as Docker words it */
  status: z.string(),
  exitCode: z.number().int().nullable(),
  labels: z.record(z.string(), z.string()),
  /** published and exposed ports, for ps's PORTS (formatPorts); absent from agents of protocol 1.1 */
  ports: z.array(z.object({ containerPort: z.number().int(), protocol: z.enum(['tcp', 'udp']), hostIp: z.string().optional(), hostPort: z.number().int().optional() })).default([]),
  /** names of the networks it is attached to */
  networks: z.array(z.string()).default([]),
  /** its healthcheck's status (ps's "(healthy)"); absent when it has none, and from agents before protocol 1.3 */
  health: HealthStatus.optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

const Ref = z.object({ id: ContainerRef });

export const TerminalSize = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });
export type TerminalSize = z.infer<typeof TerminalSize>;

/** What the control plane may send on channel 3 of an interactive exec. */
export const TerminalControl = z.object({ resize: TerminalSize });

/**
 * Channels of a request's byte stream, as Docker's stdcopy numbers them: 0 carries stdin to
 * the container, 1 and 2 its stdout and stderr; 3 carries JSON lines (pull progress).
 */
export const StreamChannel = { stdin: 0, stdout: 1, stderr: 2, json: 3 } as const;

/** `docker stats --no-stream`, one sample. */
export const ContainerStatsSample = z.object({
  cpuPercent: z.number(),
  memoryUsageBytes: z.number(),
  /** the host's memory when the container has no limit, as docker stats shows it */
  memoryLimitBytes: z.number(),
  pids: z.number().int(),
  /** NET I/O and BLOCK I/O, cumulative bytes; absent from agents of protocol 1.1 */
  netRxBytes: z.number().default(0),
  netTxBytes: z.number().default(0),
  blockReadBytes: z.number().default(0),
  blockWriteBytes: z.number().default(0),
});
export type ContainerStatsSample = z.infer<typeof ContainerStatsSample>;
const Ok = z.object({ ok: z.literal(true) });

export const ContainerOperations = {
  'container.list': { params: z.object({ all: z.boolean().default(false) }), result: z.array(ContainerSummary) },
  'container.create': { params: ContainerCreate, result: z.object({ id: z.string(), name: z.string(), files: z.number().int().optional() }) },
  'container.start': { params: Ref, result: Ok },
  'container.stop': { params: Ref.extend({ timeout: z.number().int().nonnegative().max(3600).optional() }), result: Ok },
  'container.restart': { params: Ref.extend({ timeout: z.number().int().nonnegative().max(3600).optional() }), result: Ok },
  'container.kill': { params: Ref.extend({ signal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^\d+$/).default('SIGKILL') }), result: Ok },
  'container.pause': { params: Ref, result: Ok },
  'container.unpause': { params: Ref, result: Ok },
  'container.remove': { params: Ref.extend({ force: z.boolean().default(false), volumes: z.boolean().default(false) }), result: Ok },
  'container.rename': { params: Ref.extend({ name: z.string().regex(NAME) }), result: Ok },
  'container.wait': { params: Ref, result: z.object({ exitCode: z.number().int() }) },
  'container.inspect': { params: Ref, result: z.record(z.string(), z.unknown()) },
  'container.stats': { params: Ref, result: ContainerStatsSample },
  /** `docker commit`: the container's writable layer as a new image (paused meanwhile, as docker does) */
  'container.commit': {
    params: Ref.extend({ ref: z.string().max(512).optional(), author: z.string().max(256).optional(), message: z.string().max(4096).optional(), pause: z.boolean().default(true) }),
    result: z.object({ id: z.string(), ref: z.string().nullable() }),
  },
  /** `docker export`: the root filesystem as a tar, bytes on channel 1 */
  'container.export': { params: Ref, result: Ok },
  'container.top': { params: Ref, result: z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) }) },
  'container.diff': { params: Ref, result: z.array(z.object({ kind: z.enum(['A', 'C', 'D']), path: z.string() })) },
  /** log lines go to the request's stream (channel 1 stdout, 2 stderr); the result comes at the end */
  'container.logs': {
    params: Ref.extend({ follow: z.boolean().default(false), tail: z.number().int().nonnegative().optional(), since: z.number().optional(), timestamps: z.boolean().default(false) }),
    result: Ok,
  },
  /**
   * output goes to the request's stream; the exit code is the result. With `interactive`, the
   * stream's channel 0 is the process's stdin (END closes it); with `tty`, the output is the
   * terminal's (channel 1 only) and JSON lines {"resize":{"cols","rows"}} on channel 3 resize it.
   */
  'container.exec': {
    params: Ref.extend({
      cmd: z.array(z.string()).min(1),
      env: z.array(z.string()).default([]),
      user: z.string().optional(),
      workingDir: z.string().optional(),
      interactive: z.boolean().default(false),
      tty: TerminalSize.optional(),
    }),
    result: z.object({ exitCode: z.number().int() }),
  },
  /**
   * `docker attach`, and with `start` the attach of `docker run`/`start -a` (connected before
   * the container starts: no output is missed). Streamed like exec: channel 0 its stdin when
   * `stdin` (END closes it for StdinOnce containers), 1/2 its output, resize lines on 3. The
   * result: its exit code once it has exited, or null when the client went away (detached).
   */
  'container.attach': {
    params: Ref.extend({ stdin: z.boolean().default(false), start: z.boolean().default(false), tty: TerminalSize.optional() }),
    result: z.object({ exitCode: z.number().int().nullable() }),
  },
} as const;
