import { createHash } from 'node:crypto';
import { parseExposed, parseExtraHost, parsePublish, PortSpecError, type ContainerCreate } from '@berth/protocol';
import { healthTestProblem, type BindMountConfig, type ContainerConfig, type HealthcheckConfig, type VolumeMountConfig } from '@berth/runtime';
import { HandlerError } from '../handlers/types.ts';

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function invalid(message: string): HandlerError {
  return new HandlerError('invalid', message);
}

/** Anonymous volumes are named by a hash of the container and path: 64 hex, as docker's random ones. */
export const isAnonymousVolume = (name: string) => /^[0-9a-f]{64}$/.test(name);

/**
 * `-v` as Docker reads it: `/host:/ctr[:ro|rw]` binds a host path, `name:/ctr[:ro|rw]` mounts a
 * named volume (created on first use, kept after the container), `/ctr` an anonymous volume.
 */
export function parseVolumeSpec(spec: string, containerKey: string): { bind?: BindMountConfig; volume?: VolumeMountConfig } {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw invalid(`invalid volume specification ${JSON.stringify(spec)}: use SOURCE:DESTINATION[:ro]`);
  let mode = 'rw';
  if (parts.length === 3 || (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw'))) mode = parts.pop()!;
  if (mode !== 'ro' && mode !== 'rw') throw invalid(`invalid volume mode ${JSON.stringify(mode)} in ${JSON.stringify(spec)}: use ro or rw`);
  const readonly = mode === 'ro';
  const [first, second] = parts as [string, string | undefined];
  const destination = second ?? first;
  if (!destination.startsWith('/')) throw invalid(`invalid volume specification ${JSON.stringify(spec)}: the destination ${JSON.stringify(destination)} must be an absolute path`);
  if (second === undefined) {
    // anonymous volume: a stable name per container and path, as docker gives it a random one
    const name = createHash('sha256').update(`${containerKey}\0${destination}`).digest('hex');
    return { volume: { name, destination, readonly } };
  }
  if (first.startsWith('/')) return { bind: { source: first, destination, readonly } };
  if (!VOLUME_NAME.test(first)) throw invalid(`invalid volume name ${JSON.stringify(first)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed; a host path must be absolute`);
  return { volume: { name: first, destination, readonly } };
}

/**
 * The `docker run` flags of the protocol as the engine's container config. `imageVolumes` are
 * the paths the image declares (VOLUME): each gets an anonymous volume unless a mount covers it.
 */
export function toContainerConfig(spec: ContainerCreate, containerKey: string, imageVolumes: string[] = [], defaultNetwork = 'bridge'): ContainerConfig {
  const binds: BindMountConfig[] = [];
  const volumes: VolumeMountConfig[] = [];
  for (const v of spec.binds) {
    const m = parseVolumeSpec(v, containerKey);
    if (m.bind) binds.push(m.bind);
    if (m.volume) volumes.push(m.volume);
  }
  const covered = new Set([...binds, ...volumes].map((m) => m.destination).concat(Object.keys(spec.tmpfs)));
  for (const path of imageVolumes) if (path.startsWith('/') && !covered.has(path)) volumes.push(parseVolumeSpec(path, containerKey).volume!);
  const destinations = [...binds, ...volumes].map((m) => m.destination).concat(Object.keys(spec.tmpfs), spec.files.map((f) => f.target));
  const dup = destinations.find((d, i) => destinations.indexOf(d) !== i);
  if (dup) throw invalid(`Duplicate mount point: ${dup}`);
  if (spec.autoRemove && spec.restartPolicy.name !== 'no') throw invalid('Conflicting options: --restart and --rm');
  if (spec.memorySwap !== undefined && spec.memorySwap !== -1 && (spec.memory === undefined || spec.memorySwap < spec.memory))
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  const config: ContainerConfig = {
    env: spec.env,
    labels: spec.labels,
    tty: spec.tty,
    openStdin: spec.openStdin,
    stdinOnce: spec.stdinOnce,
    readonlyRootfs: spec.readonlyRootfs,
    tmpfs: Object.entries(spec.tmpfs).map(([destination, opts]) => ({ destination, ...(opts ? { options: opts.split(',') } : {}) })),
    binds,
    volumes,
    // content travels beside the config (fileContents), never in it
    ...(spec.files.length ? { files: spec.files.map(({ kind, name, target, uid, gid, mode }) => ({ kind, name, target, uid, gid, mode })) } : {}),
    resources: {
      ...(spec.memory !== undefined ? { memory: spec.memory } : {}),
      ...(spec.memorySwap !== undefined ? { memorySwap: spec.memorySwap } : {}),
      ...(spec.cpus !== undefined ? { nanoCpus: Math.round(spec.cpus * 1e9) } : {}),
      ...(spec.cpuShares !== undefined ? { cpuShares: spec.cpuShares } : {}),
      ...(spec.pidsLimit !== undefined ? { pidsLimit: spec.pidsLimit } : {}),
    },
    capAdd: spec.capAdd,
    capDrop: spec.capDrop,
    privileged: spec.privileged,
    ...(spec.userns === 'host' ? { usernsMode: 'host' as const } : {}),
    restartPolicy: { name: spec.restartPolicy.name, maximumRetryCount: spec.restartPolicy.maximumRetryCount },
    autoRemove: spec.autoRemove,
  };
  if (spec.cmd) config.cmd = spec.cmd;
  if (spec.entrypoint) config.entrypoint = spec.entrypoint;
  if (spec.workingDir) config.workingDir = spec.workingDir;
  if (spec.user) config.user = spec.user;
  if (spec.hostname) config.hostname = spec.hostname;
  if (spec.healthcheck) config.healthcheck = healthcheckConfig(spec.healthcheck);
  Object.assign(config, networkConfig(spec, defaultNetwork));
  return config;
}

/** --health-* and --no-healthcheck; the engine merges them over the image's HEALTHCHECK. */
function healthcheckConfig(h: NonNullable<ContainerCreate['healthcheck']>): HealthcheckConfig {
  if (h.test) {
    const problem = healthTestProblem(h.test);
    if (problem) throw invalid(`invalid healthcheck test ${JSON.stringify(h.test)}: ${problem}`);
    if (h.test[0] === 'NONE' && Object.keys(h).length > 1) throw invalid('--no-healthcheck conflicts with --health-* options');
  }
  return { ...h, ...(h.test ? { test: [...h.test] } : {}) };
}

/** --network, -p, -P, --expose, --ip, --network-alias, --dns*, --add-host. */
function networkConfig(spec: ContainerCreate, defaultNetwork: string): Partial<ContainerConfig> {
  try {
    const portBindings = spec.publish.flatMap(parsePublish);
    const seen = new Set<string>();
    for (const b of portBindings) {
      const key = `${b.hostIp}:${b.hostPort}/${b.protocol}`;
      if (b.hostPort !== 0 && seen.has(key)) throw new PortSpecError(`host port ${b.hostPort}/${b.protocol} is published twice`);
      seen.add(key);
    }
    const mode = spec.network === undefined || spec.network === 'default' ? defaultNetwork : spec.network;
    const userNetwork = mode !== 'host' && mode !== 'none';
    if (!userNetwork && (spec.networkAliases.length || spec.ipv4Address)) throw new PortSpecError(`--network-alias and --ip need a bridge network, not --network ${mode}`);
    return {
      networkMode: mode,
      ...(userNetwork ? { networks: [{ networkId: '', networkName: mode, aliases: spec.networkAliases, ...(spec.ipv4Address ? { ipv4Address: spec.ipv4Address } : {}) }] } : {}),
      portBindings,
      publishAll: spec.publishAll,
      exposedPorts: spec.expose.flatMap(parseExposed).map((e) => `${e.port}/${e.protocol}`),
      dns: spec.dns,
      dnsSearch: spec.dnsSearch,
      dnsOptions: spec.dnsOption,
      extraHosts: spec.addHost.map(parseExtraHost),
    };
  } catch (err) {
    if (err instanceof PortSpecError) throw invalid(err.message);
    throw err;
  }
}
