// The OCI config.json of a container, from its record: pure, so unit tests check every field.
import { DEFAULT_NAMESPACES, DEFAULT_RLIMITS } from '../spec/defaults.ts';
import { bindMount, tmpfsMount, withAnnotations, withCapabilities, withCpu, withCwd, withMemory, withPidsLimit, withPrivileged, withSeccomp, withTerminal, withUser } from '../spec/run-opts.ts';
import { clampRlimits, generateSpec, withCgroupsPath, withEnv, withHostname, withMounts, withNamespaces, withProcessArgs, withRlimits, withRootfs, withUserNamespace } from '../spec/spec-opts.ts';
import type { SpecOpt } from '../spec/spec-opts.ts';
import type { Mount, POSIXRlimit, Spec } from '../spec/types.ts';
import type { ProcessLimit } from '../sys/procfs.ts';
import { secretFilePath } from './secret-files.ts';
import { ALL_CAPABILITIES, resolveCapabilities } from './capabilities.ts';
import type { ContainerConfig, ImageConfig } from './config.ts';
import { invalid } from './errors.ts';
import { resolveEnv, resolveWorkingDir } from './process.ts';
import { mapResources } from './resources.ts';
import type { ResourceHost } from './resources.ts';
import { defaultSeccompProfile } from './seccomp.ts';
import type { ResolvedUser } from './user.ts';
import type { IdMappings } from '../userns/idmap.ts';

export interface ContainerSpecInput {
  id: string;
  config: ContainerConfig;
  image: ImageConfig;
  /** Real path of the mounted rootfs (runc refuses a symlinked one). */
  rootfsPath: string;
  args: string[];
  user: ResolvedUser;
  hostname: string;
  cgroupsPath: string;
  /** /proc/self/limits of the agent: rlimits are clamped to its hard values. */
  hostLimits: Record<string, ProcessLimit>;
  host: ResourceHost;
  /** OCI architecture, for the seccomp profile's ABIs. */
  arch: string;
  /** Host directory of a named volume's data. */
  volumeDataDir: (name: string) => string;
  /** Files bind-mounted over /etc/hostname, /etc/hosts and /etc/resolv.conf, as Docker does. */
  etcFiles?: { hostname: string; hosts: string; resolvConf?: string };
  /** The directory holding config.files (secret-files.ts), bind-mounted read-only one by one. */
  secretsDir?: string;
  /** `--network host`: no network namespace of its own. */
  hostNetwork?: boolean;
  /** A user namespace with these mappings (userns-remap). */
  userns?: IdMappings;
}

const RLIMIT_NAMES: Record<string, string> = {
  nofile: 'RLIMIT_NOFILE', nproc: 'RLIMIT_NPROC', core: 'RLIMIT_CORE', memlock: 'RLIMIT_MEMLOCK', stack: 'RLIMIT_STACK',
  fsize: 'RLIMIT_FSIZE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', as: 'RLIMIT_AS', locks: 'RLIMIT_LOCKS', sigpending: 'RLIMIT_SIGPENDING',
  msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME', rss: 'RLIMIT_RSS',
};

export function buildContainerSpec(input: ContainerSpecInput): Spec {
  const { config } = input;
  const caps = resolveCapabilities({ add: config.capAdd, drop: config.capDrop, privileged: config.privileged });
  const resources = mapResources(config.resources, input.host);
  const opts: SpecOpt[] = [
    withProcessArgs(...input.args),
    withRootfs(input.rootfsPath, config.readonlyRootfs ?? false),
    withHostname(input.hostname),
    withEnv(...resolveEnv(input.image, config, input.hostname), `HOME=${input.user.home}`),
    withCwd(resolveWorkingDir(input.image, config)),
    withUser(input.user.uid, input.user.gid, input.user.additionalGids),
    withTerminal(config.tty ?? false),
    withCgroupsPath(input.cgroupsPath),
    withRlimits(...clampRlimits(rlimits(config), input.hostLimits)),
    withMounts(...mounts(input)),
    withAnnotations({ 'org.berth.container.id': input.id }),
  ];
  if (input.hostNetwork) opts.push(withNamespaces(...DEFAULT_NAMESPACES.filter((n) => n !== 'network')));
  if (config.privileged) opts.push(withPrivileged(ALL_CAPABILITIES));
  else opts.push(withCapabilities(caps), withSeccomp(defaultSeccompProfile(caps, input.arch)));
  if (resources.memory) opts.push(withMemory(resources.memory));
  if (resources.cpu) opts.push(withCpu(resources.cpu));
  if (resources.pids) opts.push(withPidsLimit(resources.pids.limit));
  // after withNamespaces: it adds the user namespace to whichever list that left
  if (input.userns) opts.push(withUserNamespace(input.userns.uidMappings, input.userns.gidMappings));
  return generateSpec(...opts);
}

function rlimits(config: ContainerConfig): POSIXRlimit[] {
  const out = DEFAULT_RLIMITS.map((r) => ({ ...r }));
  for (const u of config.resources?.ulimits ?? []) {
    const type = RLIMIT_NAMES[u.name];
    if (!type) throw invalid(`unknown ulimit "${u.name}": use one of ${Object.keys(RLIMIT_NAMES).join(', ')}`);
    if (u.soft > u.hard) throw invalid(`ulimit ${u.name}: soft limit ${u.soft} is above the hard limit ${u.hard}`);
    const i = out.findIndex((r) => r.type === type);
    if (i >= 0) out.splice(i, 1);
    out.push({ type, soft: u.soft, hard: u.hard });
  }
  return out;
}

function mounts(input: ContainerSpecInput): Mount[] {
  const { config } = input;
  const out: Mount[] = [];
  const seen = new Set<string>();
  const add = (m: Mount) => {
    if (!m.destination.startsWith('/')) throw invalid(`invalid mount destination "${m.destination}": it must be an absolute path`, input.id);
    if (seen.has(m.destination)) throw invalid(`Duplicate mount point: ${m.destination}`, input.id);
    seen.add(m.destination);
    out.push(m);
  };
  if (input.etcFiles) {
    add(bindMount(input.etcFiles.hostname, '/etc/hostname'));
    add(bindMount(input.etcFiles.hosts, '/etc/hosts'));
    if (input.etcFiles.resolvConf) add(bindMount(input.etcFiles.resolvConf, '/etc/resolv.conf'));
  }
  for (const t of config.tmpfs ?? []) add(tmpfsMount(t.destination, t.options));
  for (const b of config.binds ?? []) {
    if (!b.source.startsWith('/')) throw invalid(`invalid bind mount source "${b.source}": it must be an absolute host path`, input.id);
    add(bindMount(b.source, b.destination, b.readonly));
  }
  for (const v of config.volumes ?? []) add(bindMount(input.volumeDataDir(v.name), v.destination, v.readonly));
  // after the volumes: /run/secrets/x inside a volume at /run is mounted over it, as Docker does
  if (config.files?.length) {
    if (!input.secretsDir) throw invalid('the container has secrets but no place for them', input.id);
    // nosuid,nodev,noexec as on the tmpfs: a remapped container's runc may not drop flags its
    // source mount has, so a read-only remount without them is refused (EPERM)
    for (const [i, f] of config.files.entries()) {
      add({ destination: f.target, type: 'bind', source: secretFilePath(input.secretsDir, i), options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec', 'rprivate'] });
    }
  }
  return out;
}
