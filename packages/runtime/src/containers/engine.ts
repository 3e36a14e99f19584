// The container engine of a host: records, lifecycle through conmon and the OCI runtime,
// exits, restart policies, and adoption of containers that outlived a previous agent.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { chmod, chown, lstat, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { kill as killPid } from 'node:process';
import { dirname, join } from 'node:path';
import type { CgroupLayout } from '../cgroups/mode.ts';
import { containerCgroupDirs, containerCgroupsPath, DEFAULT_CGROUP_PARENT } from '../cgroups/paths.ts';
import { removeCgroup } from '../cgroups/remove.ts';
import { conmonArgs } from '../conmon/args.ts';
import { readExitFile } from '../conmon/exit-file.ts';
import type { ExitFile } from '../conmon/exit-file.ts';
import { hostConmonLauncher } from '../conmon/launch.ts';
import type { ConmonLauncher } from '../conmon/launch.ts';
import { followLogs, readLogs } from '../logs/read.ts';
import type { FollowOptions, LogOptions } from '../logs/read.ts';
import type { LogEntry } from '../logs/k8s-file.ts';
import { OciRuntimeError } from '../oci-runtime/errors.ts';
import { lastLoggedError } from '../oci-runtime/runtime-log.ts';
import type { OciRuntime } from '../oci-runtime/runtime.ts';
import { mountOverlay, unmountOverlay } from '../rootfs/overlay.ts';
import type { Spec } from '../spec/types.ts';
import type { Exec } from '../sys/exec.ts';
import type { ProcessLimit } from '../sys/procfs.ts';
import type { ContainerConfig, ContainerRecord, ContainerStatus, HealthcheckResult, RootfsSource } from './config.ts';
import { ContainerError, conflict, invalid, notFound } from './errors.ts';
import { applyProbeResult, goDuration, HEALTH_OUTPUT_BYTES, healthProbe, healthTestProblem, mergeHealthcheck, nextProbeDelay, startingHealth } from './health.ts';
import type { HealthProbe } from './health.ts';
import { HealthMonitor } from './health-monitor.ts';
import { writeTreeTar } from '../images/commit.ts';
import { containerChanges, type Change } from './diff.ts';
import { topProcesses, type TopResult } from './top.ts';
import { collect, execProcess, spawnRuntimeExec, spawnRuntimeExecTty } from './exec.ts';
import type { ExecOptions, ExecSession } from './exec.ts';
import { generateId, generateName, isValidName, normalizeName } from './names.ts';
import { containerPaths, exitDir, socketDir, volumeDataDir } from './paths.ts';
import type { ContainerPaths } from './paths.ts';
import { resolveArgs } from './process.ts';
import { decideRestart, restartOnDaemonStart } from './restart-policy.ts';
import { buildContainerSpec } from './spec.ts';
import { readContainerStats } from './stats.ts';
import { parseNetDev } from './stats.ts';
import type { ContainerStats, NetworkIo } from './stats.ts';
import { assertTransition, checkAction, isActive } from './state.ts';
import { loadRecords, saveRecord, writeJsonAtomic } from './store.ts';
import { resolveUser } from './user.ts';
import { openAttach } from './attach.ts';
import type { AttachSession } from './attach.ts';
import { isBridgeMode, planNetwork, writeEtcFiles } from './networking.ts';
import { checkSecretFiles, removeSecretFiles, secretFilesPresent, writeSecretFiles } from './secret-files.ts';
import { NetworkError } from '../network/manager.ts';
import type { NetworkManager } from '../network/manager.ts';
import { hostRoot } from '../userns/idmap.ts';
import type { IdMappings } from '../userns/idmap.ts';
import { makeVolumeData } from '../volumes/store.ts';

export interface ContainerEngineOptions {
  /** berth's state dir; containers live in <stateDir>/containers/<id>/. */
  stateDir: string;
  runtime: OciRuntime;
  /** For mount/umount. */
  exec: Exec;
  conmonPath: string;
  cgroupLayout: CgroupLayout;
  /** The agent's /proc/self/limits: container rlimits stay within its hard values. */
  hostLimits: Record<string, ProcessLimit>;
  /** Containers go to /<cgroupParent>/<id>; default "berth". */
  cgroupParent?: string;
  hostCpus?: number;
  /** Whether memory+swap can be limited; default: on for v1 hosts with memsw, v2 hosts. */
  swapAccounting?: boolean;
  /** OCI architecture (amd64, arm64), for the seccomp profile. */
  arch?: string;
  launcher?: ConmonLauncher;
  /** Rotate each container log past this size; default 10 MiB. */
  logSizeMax?: number;
  /** Environment given to conmon and runc (PATH); nothing else is inherited. */
  conmonEnv?: Record<string, string>;
  /** How often running containers' exit files are checked, besides fs.watch. */
  exitPollMs?: number;
  /** The host's networks; without it containers run with --network none or host only. */
  network?: NetworkManager;
  /**
   * dockerd's --userns-remap: every container gets a user namespace with these mappings
   * (its root is the range start on the host) unless created with usernsMode 'host'.
   */
  userns?: IdMappings;
  now?: () => Date;
}

export interface CreateContainerRequest {
  name?: string;
  rootfs: RootfsSource;
  config?: ContainerConfig;
  /** The content of each of config.files, in order: kept in memory (a tmpfs), never in the record. */
  fileContents?: Buffer[];
}

export interface ContainerEvent {
  type: 'container';
  /**
   * Docker's actions: create, start, die, stop, kill, pause, unpause, restart, rename, destroy,
   * oom, and "health_status: healthy" / "health_status: unhealthy" when the health changes.
   */
  action: string;
  id: string;
  name: string;
  time: Date;
  exitCode?: number;
  signal?: string;
}

export interface LoadReport {
  /** Still running (or paused), adopted as they are. */
  adopted: string[];
  /** Ended while no agent watched; their exit codes were recorded. */
  exited: string[];
  /** Brought back by their restart policy. */
  restarted: string[];
  errors: string[];
}

const DEFAULT_STOP_TIMEOUT_S = 10;
const KILL_WAIT_MS = 10_000;
const ZERO_TIME = '0001-01-01T00:00:00Z';

export class ContainerEngine {
  readonly #o: ContainerEngineOptions;
  readonly #launcher: ConmonLauncher;
  readonly #records = new Map<string, ContainerRecord>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<(e: ContainerEvent) => void>();
  readonly #exitWaiters = new Map<string, Set<() => void>>();
  /** Containers whose exit is recorded and whose runtime state, mount and cgroup are still being released (under the lock). */
  readonly #releasing = new Set<string>();
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  readonly #backoff = new Map<string, number>();
  /** Running healthchecks, by container id. */
  readonly #health = new Map<string, HealthMonitor>();
  #stateDir = '';
  #poller: NodeJS.Timeout | null = null;
  #watcher: FSWatcher | null = null;
  #closed = false;

  constructor(options: ContainerEngineOptions) {
    this.#o = options;
    this.#launcher = options.launcher ?? hostConmonLauncher();
  }

  get #parent(): string {
    return this.#o.cgroupParent ?? DEFAULT_CGROUP_PARENT;
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #paths(id: string): ContainerPaths {
    return containerPaths(this.#stateDir, id);
  }

  /**
   * Reads every container.json and reconciles it with the runtime: running containers stay
   * running, ones that exited meanwhile get their exit code from conmon's exit file, and
   * restart policies apply. Call once before anything else; starts the exit watcher.
   */
  async load(): Promise<LoadReport> {
    await mkdir(this.#o.stateDir, { recursive: true });
    // Real path: runc refuses a root.path reached through a symlink.
    this.#stateDir = await realpath(this.#o.stateDir);
    // a remapped root opens its bundle's files through the state dir: it must be able to pass
    // (dockerd makes its root 0711 for the same reason); nothing in it is listable by others
    if (this.#o.userns) {
      await assertSearchable(dirname(this.#stateDir));
      const st = await stat(this.#stateDir);
      if ((st.mode & 0o001) === 0) await chmod(this.#stateDir, (st.mode & 0o7777) | 0o011);
    }
    for (const d of [join(this.#stateDir, 'containers'), exitDir(this.#stateDir), socketDir(this.#stateDir)]) await mkdir(d, { recursive: true });
    const { records, errors } = await loadRecords(join(this.#stateDir, 'containers'));
    const report: LoadReport = { adopted: [], exited: [], restarted: [], errors };
    for (const r of records) this.#records.set(r.id, r);
    for (const r of records) {
      try {
        await this.#withLock(r.id, () => this.#reconcile(r, report));
      } catch (err) {
        report.errors.push(`container ${r.id}: ${(err as Error).message}`);
      }
    }
    this.#startWatching();
    return report;
  }

  async #reconcile(r: ContainerRecord, report: LoadReport): Promise<void> {
    if (r.state.status === 'removing') {
      r.state.status = 'dead';
      await this.#save(r);
      return;
    }
    if (!isActive(r.state.status)) {
      if (r.state.status === 'exited' && restartOnDaemonStart(r.config.restartPolicy, r.state.hasBeenManuallyStopped)) {
        await this.#start(r);
        report.restarted.push(r.id);
      }
      return;
    }
    if (r.state.status === 'restarting') {
      await this.#start(r);
      report.restarted.push(r.id);
      return;
    }
    const exit = await readExitFile(exitDir(this.#stateDir), r.id);
    if (exit) {
      await this.#reap(r, exit);
      report.exited.push(r.id);
      if (this.#records.get(r.id)?.state.status === 'restarting') report.restarted.push(r.id);
      return;
    }
    const state = await this.#o.runtime.state(r.id).catch((err: unknown) => {
      if (err instanceof OciRuntimeError && err.details.notFound) return null;
      throw err;
    });
    if (state && (state.status === 'running' || state.status === 'paused')) {
      r.state.pid = state.pid;
      r.state.status = state.status;
      if (r.network) await this.#o.network?.adopt({ id: r.id, name: r.name, hostname: r.config.hostname || r.id.slice(0, 12), dns: r.config.dns, state: r.network });
      // probes resume where the previous agent left them: same status, streak and results
      if (state.status === 'running') this.#startHealth(r, { reset: false });
      await this.#save(r);
      report.adopted.push(r.id);
      return;
    }
    // Gone without an exit file (host reboot, conmon killed): Docker records 255.
    await this.#reap(r, { exitCode: 255, finishedAt: this.#now() });
    report.exited.push(r.id);
  }

  /** Stops watching exits and cancels pending restarts. Containers keep running. */
  async close(): Promise<void> {
    this.#closed = true;
    // probes stop; the health they recorded stays for the next agent
    for (const m of this.#health.values()) m.stop();
    this.#health.clear();
    if (this.#poller) clearInterval(this.#poller);
    this.#watcher?.close();
    for (const t of this.#restartTimers.values()) clearTimeout(t);
    this.#restartTimers.clear();
    await Promise.allSettled([...this.#locks.values()]);
  }

  subscribe(listener: (e: ContainerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): ContainerRecord[] {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }

  /** By full id, unique id prefix, or name. */
  inspect(ref: string): ContainerRecord {
    return structuredClone(this.#find(ref));
  }

  #find(ref: string): ContainerRecord {
    const byId = this.#records.get(ref);
    if (byId) return byId;
    const name = normalizeName(ref);
    for (const r of this.#records.values()) if (r.name === name) return r;
    const prefixed = [...this.#records.values()].filter((r) => ref.length > 0 && r.id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0] as ContainerRecord;
    if (prefixed.length > 1) throw invalid(`multiple containers match "${ref}": give more of the id`);
    throw notFound(ref);
  }

  #nameTaken(name: string, except?: string): ContainerRecord | undefined {
    for (const r of this.#records.values()) if (r.name === name && r.id !== except) return r;
    return undefined;
  }

  // ---- create ----------------------------------------------------------------------------

  async create(req: CreateContainerRequest): Promise<ContainerRecord> {
    const config: ContainerConfig = structuredClone(req.config ?? {});
    let name: string;
    if (req.name !== undefined) {
      if (!isValidName(req.name)) throw invalid(`Invalid container name (${req.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      name = normalizeName(req.name);
      const holder = this.#nameTaken(name);
      if (holder) {
        throw conflict(`Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`, holder.id);
      }
    } else {
      name = generateName((n) => this.#nameTaken(n) !== undefined);
    }
    const args = resolveArgs(req.rootfs.config, config);
    if (config.healthcheck?.test?.length) {
      const problem = healthTestProblem(config.healthcheck.test);
      if (problem) throw invalid(`invalid healthcheck ${JSON.stringify(config.healthcheck.test)}: ${problem}`);
    }
    const healthcheck = mergeHealthcheck(req.rootfs.config.Healthcheck, config.healthcheck);
    if (healthcheck) config.healthcheck = healthcheck;
    else delete config.healthcheck;
    planNetwork(config, req.rootfs.config, this.#o.network);
    const userns = this.#o.userns && config.usernsMode !== 'host' ? this.#o.userns : undefined;
    if (userns && config.privileged) {
      throw invalid('privileged mode is incompatible with user namespaces: with BERTH_USERNS_REMAP on, run it with --userns=host as well (its root is then the host\'s root)');
    }
    for (const b of config.binds ?? []) {
      if (!(await exists(b.source))) throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${b.source}`);
    }
    for (const v of config.volumes ?? []) {
      if (!isValidName(v.name)) throw invalid(`invalid volume name "${v.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const filesProblem = checkSecretFiles(config.files ?? [], req.fileContents ?? []);
    if (filesProblem) throw invalid(filesProblem);
    for (const d of req.rootfs.lowerDirs) {
      if (!(await exists(d))) throw invalid(`image ${req.rootfs.imageRef}: layer directory ${d} does not exist; pull the image again`);
    }

    const id = generateId();
    const p = this.#paths(id);
    const hostname = config.hostname || id.slice(0, 12);
    const cgroupsPath = containerCgroupsPath(id, this.#parent);
    // Reserve the name while creating: a concurrent create must not take it.
    const record: ContainerRecord = {
      id,
      name,
      created: this.#now().toISOString(),
      image: { ref: req.rootfs.imageRef, id: req.rootfs.imageId ?? null },
      rootfs: { lowerDirs: [...req.rootfs.lowerDirs], ...(req.rootfs.idMappings ? { idMappings: structuredClone(req.rootfs.idMappings) } : {}) },
      ...(userns ? { userns: structuredClone(userns) } : {}),
      imageConfig: structuredClone(req.rootfs.config),
      config,
      path: args[0] as string,
      args: args.slice(1),
      cgroupsPath,
      state: {
        status: 'created', pid: 0, conmonPid: 0, exitCode: 0, startedAt: ZERO_TIME, finishedAt: ZERO_TIME,
        oomKilled: false, restartCount: 0, hasBeenManuallyStopped: false, error: '',
      },
    };
    this.#records.set(id, record);
    try {
      await mkdir(p.dir, { recursive: true, mode: 0o700 });
      const root = userns ? hostRoot(userns) : null;
      if (root) {
        // the remapped root passes through its bundle dir (group x, as dockerd's 0710
        // root:<remapped gid>) and owns its writable layer: / in the container is its own
        await chown(p.dir, 0, root.gid);
        await chmod(p.dir, 0o710);
        await mkdir(p.upper, { mode: 0o755 });
        await chown(p.upper, root.uid, root.gid);
      }
      await this.#mount(record);
      const user = resolveUser(
        config.user ?? req.rootfs.config.User,
        await readInRootfs(p.rootfs, 'etc/passwd'),
        await readInRootfs(p.rootfs, 'etc/group'),
        id,
      );
      const volumeOwner = this.#o.userns ? hostRoot(this.#o.userns) : undefined;
      for (const v of config.volumes ?? []) await makeVolumeData(volumeDataDir(this.#stateDir, v.name), volumeOwner);
      await writeFile(p.hostname, `${hostname}\n`);
      await writeEtcFiles(p, record, this.#o.network, hostname);
      // the container's root may edit its /etc/hosts and resolv.conf, as without remapping;
      // rewrites keep the owner
      if (root) for (const f of [p.hostname, p.hosts, p.resolvConf]) await chown(f, root.uid, root.gid);
      if (config.files?.length) await writeSecretFiles(p.secrets, config.files, req.fileContents ?? [], { exec: this.#o.exec, userns });
      const spec = buildContainerSpec({
        id,
        config,
        image: req.rootfs.config,
        rootfsPath: p.rootfs,
        args,
        user,
        hostname,
        cgroupsPath,
        hostLimits: this.#o.hostLimits,
        host: { swapAccounting: this.#swapAccounting(), cpus: this.#o.hostCpus ?? availableParallelism() },
        arch: this.#o.arch ?? 'amd64',
        volumeDataDir: (n) => volumeDataDir(this.#stateDir, n),
        etcFiles: { hostname: p.hostname, hosts: p.hosts, resolvConf: p.resolvConf },
        secretsDir: p.secrets,
        hostNetwork: config.networkMode === 'host',
        ...(userns ? { userns } : {}),
      });
      await writeJsonAtomic(p.spec, spec);
      await this.#save(record);
    } catch (err) {
      // Nothing half-created stays: no mount, no directory, no name.
      this.#records.delete(id);
      await unmountOverlay(p.rootfs, { exec: this.#o.exec }).catch(() => undefined);
      await removeSecretFiles(p.secrets, this.#o.exec).catch(() => undefined);
      await rm(p.dir, { recursive: true, force: true });
      throw err;
    }
    this.#emit(record, 'create');
    return structuredClone(record);
  }

  #swapAccounting(): boolean {
    if (this.#o.swapAccounting !== undefined) return this.#o.swapAccounting;
    return true;
  }

  async #mount(r: ContainerRecord): Promise<void> {
    const p = this.#paths(r.id);
    await mountOverlay({ lowerDirs: r.rootfs.lowerDirs, upperDir: p.upper, workDir: p.work, target: p.rootfs, linkDir: p.links }, { exec: this.#o.exec });
  }

  /** create + start, as `docker run -d`. */
  async run(req: CreateContainerRequest): Promise<ContainerRecord> {
    const created = await this.create(req);
    try {
      await this.start(created.id);
    } catch (err) {
      if (req.config?.autoRemove) await this.remove(created.id, { force: true }).catch(() => undefined);
      throw err;
    }
    return this.inspect(created.id);
  }

  // ---- start -----------------------------------------------------------------------------

  async start(ref: string): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      if (checkAction('start', id, r.state.status) === 'noop') return;
      await this.#start(r);
    });
  }

  /**
   * `docker attach`, or with `start` the attach of `docker run` (and `start -a`): connected
   * between the runtime's create and start, so that not a byte of output is missed.
   */
  async attach(ref: string, opts: { start?: boolean } = {}): Promise<AttachSession> {
    const id = this.#find(ref).id;
    const connect = () => openAttach(id, this.#paths(id).dir);
    if (!opts.start) {
      const r = this.#find(id);
      if (r.state.status !== 'running' && r.state.status !== 'paused') throw conflict(`You cannot attach to a stopped container, start it first`, id);
      return connect();
    }
    let session: AttachSession | null = null;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      if (checkAction('start', id, r.state.status) === 'noop') {
        session = await connect();
        return;
      }
      await this.#start(r, async () => {
        session = await connect();
      });
    });
    if (!session) throw new ContainerError('runtime', `container ${id} started without an attach session`, id);
    return session;
  }

  async #start(r: ContainerRecord, beforeStart?: () => Promise<void>): Promise<void> {
    const p = this.#paths(r.id);
    const timer = this.#restartTimers.get(r.id);
    if (timer) clearTimeout(timer);
    this.#restartTimers.delete(r.id);
    const files = r.config.files?.length ?? 0;
    if (files && !(await secretFilesPresent(p.secrets, files, () => readFile('/proc/self/mountinfo', 'utf8')))) {
      throw new ContainerError('invalid', `container ${r.id} cannot start: its secrets and configs were kept in memory and are gone (the host restarted); remove it and create it again (a service's replica is replaced by the control plane)`, r.id);
    }
    await this.#mount(r);
    // A previous run's leftovers: runtime state, exit file, pid files, oom marker.
    if (await this.#o.runtime.hasState(r.id)) await this.#o.runtime.delete(r.id, { force: true }).catch(() => undefined);
    await Promise.all([join(exitDir(this.#stateDir), r.id), p.pidFile, p.conmonPidFile, p.oomFile, p.runtimeLog].map((f) => rm(f, { force: true })));

    const result = await this.#launcher
      .launch({
        conmonPath: this.#o.conmonPath,
        argv: conmonArgs({
          id: r.id,
          name: r.name,
          runtimePath: this.#o.runtime.path,
          runtimeRoot: this.#o.runtime.root,
          runtimeLog: p.runtimeLog,
          bundle: p.dir,
          containerPidFile: p.pidFile,
          conmonPidFile: p.conmonPidFile,
          logPath: p.log,
          logSizeMax: this.#o.logSizeMax ?? 10 * 1024 * 1024,
          exitDir: exitDir(this.#stateDir),
          socketDir: socketDir(this.#stateDir),
          stdin: !!r.config.openStdin,
          leaveStdinOpen: !r.config.stdinOnce,
          terminal: !!r.config.tty,
        }),
        stderrFile: p.conmonLog,
        env: this.#o.conmonEnv ?? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
      })
      .catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
    if (!result.ok) {
      const logged = lastLoggedError(await readFile(p.runtimeLog, 'utf8').catch(() => ''));
      await this.#failStart(r, logged ?? result.message);
    }
    if (result.ok) await this.#wire(r, result.pid);
    if (result.ok && beforeStart) {
      await beforeStart().catch((err: unknown) => this.#failStart(r, (err as Error).message));
    }
    try {
      await this.#o.runtime.start(r.id);
    } catch (err) {
      const msg = err instanceof OciRuntimeError ? err.details.runtimeMessage : (err as Error).message;
      await this.#failStart(r, msg);
    }
    const prev = r.state.status;
    assertTransition(r.id, prev, 'running');
    r.state = {
      ...r.state,
      status: 'running',
      pid: result.ok ? result.pid : 0,
      conmonPid: await readPid(p.conmonPidFile),
      exitCode: 0,
      startedAt: this.#now().toISOString(),
      finishedAt: r.state.finishedAt,
      oomKilled: false,
      hasBeenManuallyStopped: false,
      error: '',
    };
    this.#startHealth(r, { reset: true });
    await this.#save(r);
    this.#emit(r, prev === 'restarting' ? 'restart' : 'start');
  }

  /** Between `runtime create` and `start`: endpoints into its namespace, ports, /etc files. */
  async #wire(r: ContainerRecord, pid: number): Promise<void> {
    const net = this.#o.network;
    if (net && isBridgeMode(r.config.networkMode) && r.config.networks?.length) {
      try {
        r.network = await net.attach({
          containerId: r.id,
          name: r.name,
          hostname: r.config.hostname || r.id.slice(0, 12),
          pid,
          attachments: r.config.networks,
          portBindings: r.config.portBindings ?? [],
          publishAll: r.config.publishAll ? (r.config.exposedPorts ?? []) : [],
          dns: r.config.dns ?? [],
        });
      } catch (err) {
        await this.#failStart(r, err instanceof NetworkError ? err.message : `network: ${(err as Error).message}`);
      }
    }
    await writeEtcFiles(this.#paths(r.id), r, net, r.config.hostname || r.id.slice(0, 12));
  }

  /** Gives back its addresses and ports; its veths went with its network namespace. */
  async #unwire(r: ContainerRecord): Promise<void> {
    if (!r.network) return;
    await this.#o.network?.release(r.id).catch(() => undefined);
    delete r.network;
  }

  // ---- network connect / disconnect ------------------------------------------------------

  /** `network connect`: joins at the next start, or at once when running. */
  async connect(ref: string, networkRef: string, opts: { aliases?: string[]; ipv4Address?: string } = {}): Promise<void> {
    const net = this.#o.network;
    if (!net) throw invalid('networking is off on this host');
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      if (!isBridgeMode(r.config.networkMode)) {
        throw invalid(`container ${r.name} uses the ${r.config.networkMode ?? 'none'} network mode and cannot be connected to other networks`);
      }
      const a = this.#networkCall(() => net.resolveAttachment(networkRef, opts.aliases ?? [], opts.ipv4Address));
      if (r.config.networks?.some((n) => n.networkId === a.networkId)) {
        throw conflict(`endpoint with name ${r.name} already exists in network ${a.networkName}`, r.id);
      }
      if (r.state.status === 'running' || r.state.status === 'paused') {
        await this.#networkAsync(() => net.connectRunning(r.id, r.state.pid, a));
        r.network = net.stateOf(r.id);
      }
      r.config.networks = [...(r.config.networks ?? []), a];
      await this.#save(r);
      this.#emit(r, 'connect');
    });
  }

  /** `network disconnect`. */
  async disconnect(ref: string, networkRef: string): Promise<void> {
    const net = this.#o.network;
    if (!net) throw invalid('networking is off on this host');
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      const n = this.#networkCall(() => net.find(networkRef));
      if (!r.config.networks?.some((a) => a.networkId === n.id)) throw invalid(`container ${r.name} is not connected to network ${n.name}`, r.id);
      if (r.network) {
        await this.#networkAsync(() => net.disconnectRunning(r.id, n.id));
        r.network = net.stateOf(r.id);
      }
      r.config.networks = r.config.networks.filter((a) => a.networkId !== n.id);
      await this.#save(r);
      this.#emit(r, 'disconnect');
    });
  }

  #networkCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw asContainerError(err);
    }
  }

  async #networkAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw asContainerError(err);
    }
  }

  /** Leaves the container as it was (created or exited) with the error and Docker's exit code. */
  async #failStart(r: ContainerRecord, message: string): Promise<never> {
    await this.#o.runtime.delete(r.id, { force: true }).catch(() => undefined);
    await this.#unwire(r);
    await removeCgroup(containerCgroupDirs(this.#o.cgroupLayout, r.id, this.#parent)).catch(() => undefined);
    r.state.error = message;
    // Docker: 127 command not found, 126 not executable, 128 anything else the runtime refused.
    r.state.exitCode = /executable file not found|no such file or directory/i.test(message) ? 127 : /permission denied/i.test(message) ? 126 : 128;
    if (r.state.status === 'restarting') r.state.status = 'exited';
    await this.#save(r);
    throw new ContainerError('runtime', `cannot start container ${r.id} (${r.name}): ${message}`, r.id);
  }

  // ---- stop / kill / restart -------------------------------------------------------------

  /** SIGTERM (or the configured stop signal), then SIGKILL after `timeoutSec` (default 10). */
  async stop(ref: string, opts: { timeoutSec?: number } = {}): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, () => this.#stop(this.#find(id), opts.timeoutSec));
  }

  async #stop(r: ContainerRecord, timeoutSec?: number): Promise<void> {
    if (checkAction('stop', r.id, r.state.status) === 'noop') return;
    r.state.hasBeenManuallyStopped = true;
    if (r.state.status === 'restarting') {
      clearTimeout(this.#restartTimers.get(r.id));
      this.#restartTimers.delete(r.id);
      assertTransition(r.id, 'restarting', 'exited');
      r.state.status = 'exited';
      await this.#save(r);
      this.#emit(r, 'stop');
      return;
    }
    await this.#save(r);
    const timeout = timeoutSec ?? r.config.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const signal = r.config.stopSignal ?? 'SIGTERM';
    let exit: ExitFile | null = null;
    if (timeout > 0 || timeout < 0) {
      await this.#signal(r, signal);
      exit = await this.#waitExitFile(r.id, timeout < 0 ? Number.POSITIVE_INFINITY : timeout * 1000);
    }
    if (!exit) {
      await this.#signal(r, 'SIGKILL');
      exit = await this.#waitExitFile(r.id, KILL_WAIT_MS);
    }
    if (!exit) throw new ContainerError('runtime', `container ${r.id} did not exit after SIGKILL; see ${this.#paths(r.id).conmonLog}`, r.id);
    await this.#reap(r, exit);
    this.#emit(r, 'stop');
  }

  /** Sends a signal; a paused container is thawed after so it can act on it. */
  async #signal(r: ContainerRecord, signal: string): Promise<void> {
    try {
      await this.#o.runtime.kill(r.id, signal);
    } catch (err) {
      // Already gone: its exit file will tell.
      if (err instanceof OciRuntimeError && /not running|process already finished|container not running|does not exist/i.test(err.details.runtimeMessage)) return;
      throw err;
    }
    if (r.state.status === 'paused') await this.#o.runtime.resume(r.id).catch(() => undefined);
  }

  /** `docker kill`: any signal (default SIGKILL). A SIGKILL waits for the exit. */
  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction('kill', id, r.state.status);
      const sig = signal.toUpperCase().replace(/^SIG/, '');
      if (!/^([A-Z0-9+-]+|\d+)$/.test(sig)) throw invalid(`Invalid signal: ${signal}`);
      r.state.hasBeenManuallyStopped = true;
      await this.#save(r);
      if (r.state.status === 'restarting') {
        clearTimeout(this.#restartTimers.get(id));
        this.#restartTimers.delete(id);
        r.state.status = 'exited';
        await this.#save(r);
        return;
      }
      await this.#signal(r, `SIG${sig}`.replace(/^SIG(\d+)$/, '$1'));
      this.#emit(r, 'kill', { signal: sig });
      if (sig === 'KILL' || sig === '9') {
        const exit = await this.#waitExitFile(id, KILL_WAIT_MS);
        if (exit) await this.#reap(r, exit);
      }
    });
  }

  async restart(ref: string, opts: { timeoutSec?: number } = {}): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction('restart', id, r.state.status);
      await this.#stop(r, opts.timeoutSec);
      await this.#start(r);
    });
  }

  // ---- pause / unpause -------------------------------------------------------------------

  async pause(ref: string): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction('pause', id, r.state.status);
      await this.#o.runtime.pause(id);
      assertTransition(id, r.state.status, 'paused');
      r.state.status = 'paused';
      this.#stopHealth(r);
      await this.#save(r);
      this.#emit(r, 'pause');
    });
  }

  async unpause(ref: string): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction('unpause', id, r.state.status);
      await this.#o.runtime.resume(id);
      assertTransition(id, r.state.status, 'running');
      r.state.status = 'running';
      // as Docker: probes go on from where they were (unhealthy since the pause) until one passes
      this.#startHealth(r, { reset: false });
      await this.#save(r);
      this.#emit(r, 'unpause');
    });
  }

  // ---- wait ------------------------------------------------------------------------------

  /** Resolves with the exit code once the container is not running (at once if it is not). */
  async wait(ref: string, opts: { signal?: AbortSignal } = {}): Promise<{ exitCode: number; error: string }> {
    const id = this.#find(ref).id;
    // The state is settled when no operation holds the container, or when the holder has
    // recorded an exit and is only releasing what the container held (a start in progress
    // is not yet `running`; an exit on record is final and need not wait for its clean-up).
    const settled = () => !this.#locks.has(id) || this.#releasing.has(id);
    for (;;) {
      while (!settled()) {
        const exited = this.#nextExit(id, opts.signal);
        await Promise.race([this.#locks.get(id)?.catch(() => undefined), exited.promise]).finally(exited.cancel);
      }
      const r = this.#records.get(id);
      if (!r) throw notFound(ref);
      if (!isActive(r.state.status)) return { exitCode: r.state.exitCode, error: r.state.error };
      const exited = this.#nextExit(id, opts.signal);
      await exited.promise.finally(exited.cancel);
    }
  }

  /** Resolves at the next recorded exit of `id`; `cancel` forgets it. */
  #nextExit(id: string, signal?: AbortSignal): { promise: Promise<void>; cancel: () => void } {
    const set = this.#exitWaiters.get(id) ?? new Set();
    this.#exitWaiters.set(id, set);
    let done = () => {};
    let abort = () => {};
    const promise = new Promise<void>((resolve, reject) => {
      done = resolve;
      abort = () => reject(new Error(`wait for container ${id} aborted`));
      if (signal?.aborted) abort();
      signal?.addEventListener('abort', abort, { once: true });
    });
    set.add(done);
    const cancel = () => {
      signal?.removeEventListener('abort', abort);
      set.delete(done);
      if (set.size === 0 && this.#exitWaiters.get(id) === set) this.#exitWaiters.delete(id);
    };
    return { promise, cancel };
  }

  // ---- remove / rename -------------------------------------------------------------------

  /** `docker rm [-f]`: refused while running unless `force`; removes mount, cgroup, runtime state and files. */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction(opts.force ? 'force-remove' : 'remove', id, r.state.status);
      if (r.state.status === 'restarting') {
        clearTimeout(this.#restartTimers.get(id));
        this.#restartTimers.delete(id);
        r.state.status = 'exited';
      }
      if (isActive(r.state.status)) {
        r.state.hasBeenManuallyStopped = true;
        await this.#signal(r, 'SIGKILL');
        const exit = await this.#waitExitFile(id, KILL_WAIT_MS);
        await this.#reap(r, exit ?? { exitCode: 137, finishedAt: this.#now() }, { noRestart: true });
      }
      this.#stopHealth(r);
      assertTransition(id, r.state.status, 'removing');
      r.state.status = 'removing';
      await this.#save(r);
      const p = this.#paths(id);
      try {
        // the exit's reap usually released the runtime state already: no runtime process then
        if (await this.#o.runtime.hasState(id)) {
          await this.#o.runtime.delete(id, { force: true }).catch((err: unknown) => {
            if (!(err instanceof OciRuntimeError && err.details.notFound)) throw err;
          });
        }
        // side by side, none needs another's result; the bundle goes once nothing is mounted in it
        await Promise.all([
          unmountOverlay(p.rootfs, { exec: this.#o.exec }),
          removeSecretFiles(p.secrets, this.#o.exec),
          removeCgroup(containerCgroupDirs(this.#o.cgroupLayout, id, this.#parent)),
          rm(join(exitDir(this.#stateDir), id), { force: true }),
          rm(join(socketDir(this.#stateDir), id), { recursive: true, force: true }),
        ]);
        await rm(p.dir, { recursive: true, force: true });
      } catch (err) {
        r.state.status = 'dead';
        r.state.error = (err as Error).message;
        await this.#save(r).catch(() => undefined);
        throw new ContainerError('runtime', `removal of container ${id} failed, it is now dead: ${(err as Error).message}; retry rm -f`, id, { cause: err });
      }
      this.#records.delete(id);
      this.#backoff.delete(id);
      this.#emit(r, 'destroy');
    });
  }

  async rename(ref: string, newName: string): Promise<void> {
    const id = this.#find(ref).id;
    await this.#withLock(id, async () => {
      const r = this.#find(id);
      checkAction('rename', id, r.state.status);
      if (!isValidName(newName)) throw invalid(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const name = normalizeName(newName);
      if (name === r.name) throw conflict(`Renaming a container with the same name as its current name`, id);
      const holder = this.#nameTaken(name, id);
      if (holder) throw conflict(`Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`, id);
      r.name = name;
      this.#o.network?.renamed(id, name);
      await this.#save(r);
      this.#emit(r, 'rename');
    });
  }

  // ---- logs / exec / stats ---------------------------------------------------------------

  async logs(ref: string, opts: LogOptions = {}): Promise<LogEntry[]> {
    return readLogs(this.#paths(this.#find(ref).id).log, opts);
  }

  /** Existing entries then new ones until the container stops (or `signal` aborts). */
  followLogs(ref: string, opts: Omit<FollowOptions, 'done'> = {}): AsyncGenerator<LogEntry> {
    const id = this.#find(ref).id;
    return followLogs(this.#paths(id).log, {
      ...opts,
      done: () => {
        const r = this.#records.get(id);
        return !r || !isActive(r.state.status);
      },
    });
  }

  /** Starts a process in the running container; read its streams, await `exitCode`. */
  async exec(ref: string, opts: ExecOptions): Promise<ExecSession> {
    const r = this.#find(ref);
    checkAction('exec', r.id, r.state.status);
    const p = this.#paths(r.id);
    const spec = JSON.parse(await readFile(p.spec, 'utf8')) as Spec;
    const user = opts.user ? resolveUser(opts.user, await readInRootfs(p.rootfs, 'etc/passwd'), await readInRootfs(p.rootfs, 'etc/group'), r.id) : null;
    const process = execProcess(spec.process, opts, user);
    // One directory per exec: its process spec, runtime log and pid file go when it ends.
    const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const execDir = join(p.dir, 'exec', tag);
    await mkdir(execDir, { recursive: true });
    const processFile = join(execDir, 'process.json');
    await writeFile(processFile, JSON.stringify(process));
    const rt = this.#o.runtime;
    const argv = [
      rt.path, '--root', rt.root, '--log', join(execDir, 'runtime.log'), '--log-format', 'json',
      'exec', '--process', processFile, '--pid-file', join(execDir, 'exec.pid'), r.id,
    ];
    const session = opts.tty ? spawnRuntimeExecTty(argv, opts.tty) : spawnRuntimeExec(argv);
    const killRuntime = session.kill;
    // killing the runtime's foreground exec leaves the process it started in the container:
    // that one goes first, by the pid the runtime wrote
    const kill = () => {
      void readPid(join(execDir, 'exec.pid')).then(async (pid) => {
        // only while that pid is still in the container's cgroup: never a reused pid of the host's
        if (pid > 0 && (await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')).includes(r.id)) {
          try {
            killPid(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        killRuntime();
      });
    };
    // the runtime exits 255 when it could not start the process at all: Docker's 127 (not
    // found) or 126 (not executable), with the runtime's reason on stderr as docker shows it
    const exitCode = session.exitCode.then(async (code) => {
      if (code === 255) {
        const reason = lastLoggedError(await readFile(join(execDir, 'runtime.log'), 'utf8').catch(() => ''));
        if (reason && /executable file not found|no such file or directory/i.test(reason)) code = 127;
        else if (reason && /permission denied/i.test(reason)) code = 126;
      }
      await rm(execDir, { recursive: true, force: true }).catch(() => undefined);
      return code;
    });
    return { ...session, exitCode, kill };
  }

  /** exec and collect its output. */
  async execCollect(ref: string, opts: ExecOptions): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    return collect(await this.exec(ref, opts));
  }

  /** `docker top`: the container's processes as seen from the host. */
  async top(ref: string): Promise<TopResult> {
    const r = this.#find(ref);
    if (!isActive(r.state.status)) throw conflict(`Container ${r.id} is not running`, r.id);
    return topProcesses(this.#o.cgroupLayout, r.cgroupsPath);
  }

  /**
   * `docker export`: the container's root filesystem (image layers and its changes, merged) as
   * a tar. A stopped container's overlay is mounted for the while and unmounted after.
   */
  async export(ref: string, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
    const id = this.#find(ref).id;
    const p = this.#paths(id);
    const r = this.#find(id);
    if (r.state.status === 'removing' || r.state.status === 'dead') throw conflict(`Container ${id} is ${r.state.status}: nothing to export`, id);
    // a running container's rootfs is mounted already: read it without holding up its lifecycle
    // owners as the image store had them before its remap shift
    const idMappings = r.rootfs.idMappings;
    if (isActive(r.state.status)) return writeTreeTar(p.rootfs, sink, idMappings);
    await this.#withLock(id, async () => {
      const cur = this.#find(id);
      if (isActive(cur.state.status)) return writeTreeTar(p.rootfs, sink, idMappings);
      await this.#mount(cur);
      try {
        await writeTreeTar(p.rootfs, sink, idMappings);
      } finally {
        await unmountOverlay(p.rootfs, { exec: this.#o.exec }).catch(() => undefined);
      }
    });
  }

  /** `docker diff`: files added, changed and deleted in the writable layer. */
  async diff(ref: string): Promise<Change[]> {
    const r = this.#find(ref);
    return containerChanges(this.#paths(r.id).upper, r.rootfs.lowerDirs);
  }

  async stats(ref: string): Promise<ContainerStats & { network: NetworkIo }> {
    const r = this.#find(ref);
    if (!isActive(r.state.status)) throw conflict(`Container ${r.id} is not running`, r.id);
    const [cg, netDev] = await Promise.all([
      readContainerStats(this.#o.cgroupLayout, r.cgroupsPath),
      // host mode shares the host's counters, which are not the container's: Docker shows none
      r.config.networkMode === 'host' ? '' : readFile(`/proc/${r.state.pid}/net/dev`, 'utf8').catch(() => ''),
    ]);
    return { ...cg, network: parseNetDev(netDev) };
  }

  // ---- healthchecks ----------------------------------------------------------------------

  /**
   * Starts the container's probes (its record says which). `reset` = a (re)start: starting, no
   * failures; otherwise the status it had (an adopted or unpaused container). Caller saves.
   */
  #startHealth(r: ContainerRecord, o: { reset: boolean }): void {
    this.#health.get(r.id)?.stop();
    this.#health.delete(r.id);
    const probe = healthProbe(r.config.healthcheck);
    if (!probe) {
      delete r.state.health;
      return;
    }
    if (o.reset || !r.state.health) r.state.health = startingHealth(r.state.health);
    if (this.#closed) return;
    const id = r.id;
    const monitor: HealthMonitor = new HealthMonitor({
      delay: () => {
        const cur = this.#records.get(id);
        return nextProbeDelay(probe, cur?.state.health?.status, this.#now().getTime() - Date.parse(cur?.state.startedAt ?? ''));
      },
      probe: (signal) => this.#probe(id, probe, signal),
      record: (result) =>
        this.#withLock(id, async () => {
          const cur = this.#records.get(id);
          if (monitor.stopped || !cur?.state.health || cur.state.status !== 'running') return;
          const before = cur.state.health.status;
          cur.state.health = applyProbeResult(cur.state.health, result, { retries: probe.retries, startPeriodMs: probe.startPeriodMs, startedAt: cur.state.startedAt });
          await this.#save(cur);
          if (cur.state.health.status !== before) this.#emit(cur, `health_status: ${cur.state.health.status}`);
        }).catch(() => undefined),
    });
    this.#health.set(id, monitor);
    monitor.start();
  }

  /** Probes stop (exit, pause, removal); the status becomes unhealthy as Docker reports it. Caller saves. */
  #stopHealth(r: ContainerRecord): void {
    const monitor = this.#health.get(r.id);
    if (!monitor) return;
    monitor.stop();
    this.#health.delete(r.id);
    if (r.state.health) r.state.health = { ...r.state.health, status: 'unhealthy' };
  }

  /** One probe: its command as an exec without a TTY, given up (and killed) at its timeout. */
  async #probe(id: string, probe: HealthProbe, signal: AbortSignal): Promise<HealthcheckResult> {
    const start = this.#now();
    const result = (exitCode: number, output: string): HealthcheckResult => ({ start: start.toISOString(), end: this.#now().toISOString(), exitCode, output });
    let session: ExecSession;
    try {
      session = await this.exec(id, { cmd: probe.cmd });
    } catch (err) {
      return result(-1, (err as Error).message);
    }
    session.stdin.end();
    const output: Buffer[] = [];
    let kept = 0;
    const drain = async (stream: NodeJS.ReadableStream) => {
      for await (const chunk of stream) {
        // stdout and stderr together, only the first 4096 bytes kept; the rest is read and dropped
        const b = chunk as Buffer;
        if (kept < HEALTH_OUTPUT_BYTES) output.push(b.subarray(0, HEALTH_OUTPUT_BYTES - kept));
        kept += b.length;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout' | 'stopped'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), probe.timeoutMs);
      signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const finished = Promise.all([session.exitCode, drain(session.stdout), drain(session.stderr)]).then(([code]) => code);
    const outcome = await Promise.race([finished, gaveUp]).catch((err: unknown) => (err as Error));
    clearTimeout(timer);
    if (typeof outcome === 'number') return result(outcome, Buffer.concat(output).toString('utf8'));
    session.kill();
    void finished.catch(() => undefined);
    if (outcome instanceof Error) return result(-1, outcome.message);
    return result(-1, outcome === 'timeout' ? `Health check exceeded timeout (${goDuration(probe.timeoutMs)})` : 'Health check stopped: the container is no longer running');
  }

  // ---- exits -----------------------------------------------------------------------------

  #startWatching(): void {
    const dir = exitDir(this.#stateDir);
    const check = (id: string) => {
      // the state is looked at under the lock only: an exit noticed while `start` still holds
      // it (a quick `true`) is then seen as the exit of a running container, not dropped
      if (!this.#records.has(id)) return;
      void this.#withLock(id, async () => {
        const cur = this.#records.get(id);
        if (!cur || (cur.state.status !== 'running' && cur.state.status !== 'paused')) return;
        const exit = await readExitFile(dir, id);
        if (exit) await this.#reap(cur, exit);
      }).catch(() => undefined);
    };
    try {
      this.#watcher = watch(dir, (_event, file) => {
        if (file) check(String(file));
      });
      this.#watcher.on('error', () => undefined);
    } catch {
      // No inotify: the poll below still sees every exit.
    }
    this.#poller = setInterval(() => {
      for (const id of this.#records.keys()) check(id);
    }, this.#o.exitPollMs ?? 1_000);
    this.#poller.unref();
  }

  /** Polls for the exit file (the watcher's check needs the lock this caller holds). */
  async #waitExitFile(id: string, timeoutMs: number): Promise<ExitFile | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exit = await readExitFile(exitDir(this.#stateDir), id);
      if (exit || Date.now() >= deadline) return exit;
      await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
    }
  }

  /** Records an exit and applies the restart policy. Holds the container's lock. */
  async #reap(r: ContainerRecord, exit: ExitFile, opts: { noRestart?: boolean } = {}): Promise<void> {
    const p = this.#paths(r.id);
    assertTransition(r.id, r.state.status, 'exited');
    r.state.status = 'exited';
    this.#stopHealth(r);
    r.state.exitCode = exit.exitCode;
    r.state.finishedAt = exit.finishedAt.toISOString();
    r.state.pid = 0;
    r.state.conmonPid = 0;
    r.state.oomKilled = await exists(p.oomFile);
    const decision = opts.noRestart || this.#closed
      ? { restart: false as const, reason: 'removing' }
      : decideRestart({
          policy: r.config.restartPolicy,
          exitCode: exit.exitCode,
          restartCount: r.state.restartCount,
          manuallyStopped: r.state.hasBeenManuallyStopped,
          runningMs: Date.parse(r.state.finishedAt) - Date.parse(r.state.startedAt),
          previousDelayMs: this.#backoff.get(r.id) ?? 0,
        });
    // its published ports are free before anyone hears of the exit (a waiter may reuse them)
    await this.#unwire(r);
    if (r.state.oomKilled) this.#emit(r, 'oom');
    this.#emit(r, 'die', { exitCode: exit.exitCode });
    if (decision.restart) {
      this.#backoff.set(r.id, decision.delayMs);
      r.state.status = 'restarting';
    }
    await this.#save(r);
    // The exit is on record: waiters go on while the rest is released, still under the lock,
    // so a start or rm of this container waits for it. Side by side: each is a process or a
    // few syscalls, none needs another's result (the container's mount namespace went with
    // it, so its rootfs is free). An agent killed meanwhile leaves leftovers that the next
    // start (`hasState`) or rm releases.
    this.#releasing.add(r.id);
    this.#notifyExit(r.id);
    try {
      await Promise.all([
        this.#o.runtime.delete(r.id, { force: true }).catch(() => undefined),
        decision.restart ? undefined : unmountOverlay(p.rootfs, { exec: this.#o.exec }).catch(() => undefined),
      ]);
      await removeCgroup(containerCgroupDirs(this.#o.cgroupLayout, r.id, this.#parent)).catch(() => undefined);
    } finally {
      this.#releasing.delete(r.id);
    }

    if (decision.restart) {
      const timer = setTimeout(() => {
        this.#restartTimers.delete(r.id);
        void this.#withLock(r.id, async () => {
          const cur = this.#records.get(r.id);
          if (!cur || cur.state.status !== 'restarting') return;
          cur.state.restartCount += 1;
          await this.#start(cur);
        }).catch(() => undefined);
      }, decision.delayMs);
      timer.unref();
      this.#restartTimers.set(r.id, timer);
    }
    if (!decision.restart && r.config.autoRemove && !opts.noRestart) {
      // --rm: after the lock is released.
      setImmediate(() => void this.remove(r.id, { force: true }).catch(() => undefined));
    }
  }

  #notifyExit(id: string): void {
    for (const w of [...(this.#exitWaiters.get(id) ?? [])]) w();
  }

  // ---- plumbing --------------------------------------------------------------------------

  async #save(r: ContainerRecord): Promise<void> {
    await saveRecord(this.#paths(r.id).record, r);
  }

  #emit(r: ContainerRecord, action: string, extra: { exitCode?: number; signal?: string } = {}): void {
    const event: ContainerEvent = { type: 'container', action, id: r.id, name: r.name, time: this.#now(), ...extra };
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  /** One operation at a time per container, in arrival order. */
  #withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.#locks.set(id, settled);
    void settled.then(() => {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    });
    return next;
  }
}

/** Every directory from `dir` up must let others pass (x), or a remapped root cannot reach its bundle. */
async function assertSearchable(dir: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    const st = await stat(d);
    if ((st.mode & 0o001) === 0) {
      throw new ContainerError('runtime', `user namespace remapping: ${d} (mode ${(st.mode & 0o777).toString(8)}) does not let other users pass, so a container's remapped root cannot reach its files under the state dir: chmod o+x ${d}, or use a state dir whose parents do`);
    }
    if (d === dirname(d)) return;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * A file of the container's rootfs, read without following a symlink out of it (an image
 * could point /etc/passwd at a host file). Missing or symlinked → "".
 */
async function readInRootfs(rootfs: string, rel: string): Promise<string> {
  let at = rootfs;
  for (const part of rel.split('/')) {
    at = join(at, part);
    const st = await lstat(at).catch(() => null);
    if (!st || st.isSymbolicLink()) return '';
  }
  return readFile(at, 'utf8').catch(() => '');
}

async function readPid(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const n = Number.parseInt(text.trim(), 10);
  return Number.isNaN(n) ? 0 : n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { ContainerStatus };

/** A network refusal in the container engine's terms (not-found → 404, conflict → 409...). */
function asContainerError(err: unknown): Error {
  if (!(err instanceof NetworkError)) return err as Error;
  const code = err.code === 'host' ? 'runtime' : err.code;
  return new ContainerError(code, err.message);
}
