// A lab: N simulated hosts on this machine. Each host is a network namespace on a lab bridge
// with its own address, state directory and cgroup parent; the control plane under test
// listens on the bridge address in the root namespace, where every host can reach it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { claimSubnet } from './addressing.ts';
import { exec, netnsArgv } from './exec.ts';
import type { ExecOptions, ExecResult } from './exec.ts';
import { addBridge, addHostNetns, setLinkUp } from './ip.ts';
import { MAX_HOSTS, labNames, makeLabId } from './naming.ts';
import type { LabNames, LabSubnet } from './naming.ts';
import { processStartTime, writeMarker } from './owner.ts';
import { spawnInNetns } from './process.ts';
import type { LabProcess } from './process.ts';
import { registerLab, unregisterLab } from './registry.ts';
import { sweepStaleLabs } from './sweep.ts';
import { teardownLab } from './teardown.ts';

export interface LabOptions {
  hosts: number;
  /** A label for humans, kept in the lab's marker file; names on the machine use the id. */
  name?: string;
}

export interface LabSpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Log file name inside the host's stateDir; default `<command>-<n>.log`. */
  logName?: string;
}

export interface LabHost {
  /** h1, h2, ... */
  readonly name: string;
  readonly netns: string;
  readonly address: string;
  readonly stateDir: string;
  /** Name the agent gives its cgroup parent; teardown removes cgroups of this name in every hierarchy. */
  readonly cgroupParent: string;
  /** Runs a command inside the host's netns and waits for it. */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running command inside the host's netns; lab.destroy() stops it. */
  spawn(argv: readonly string[], options?: LabSpawnOptions): LabProcess;
  /** Partitions the host: its bridge port goes down. */
  cutLink(): Promise<void>;
  restoreLink(): Promise<void>;
}

export interface Lab {
  readonly id: string;
  readonly name: string;
  readonly bridge: string;
  /** The lab's /24, e.g. 10.213.7.0/24. */
  readonly subnet: string;
  /** The bridge address in the root namespace: where the control plane under test listens. */
  readonly gateway: string;
  readonly rootDir: string;
  readonly hosts: readonly LabHost[];
  host(name: string): LabHost;
  /** Stops every process and removes every piece of the lab. Idempotent; throws once, listing what failed. */
  destroy(): Promise<void>;
}

export async function createLab(options: LabOptions): Promise<Lab> {
  try {
    await sweepStaleLabs();
  } catch (e) {
    // A leftover that cannot be removed should not stop this lab; it is named in the warning.
    console.warn((e as Error).message);
  }
  return buildLab(options, process.pid);
}

/**
 * Builds a lab recorded as owned by `ownerPid`. createLab passes its own pid; tests pass a
 * dead pid to make the lab look like a crashed run's.
 */
export async function buildLab(options: LabOptions, ownerPid: number): Promise<Lab> {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > MAX_HOSTS) {
    throw new Error(`createLab: hosts must be an integer from 1 to ${MAX_HOSTS}, got ${options.hosts}`);
  }
  const id = makeLabId(ownerPid);
  const names = labNames(id);
  const name = options.name ?? `lab-${id}`;
  const startTime = ownerPid === process.pid ? processStartTime(ownerPid) : undefined;
  // The marker comes first: whatever exists of a lab, a sweep can tell whose it is.
  writeMarker({ id, name, pid: ownerPid, ...(startTime ? { pidStartTime: startTime } : {}), hosts: options.hosts, createdAt: new Date().toISOString() });
  const lab = new LabImpl(id, name, names);
  registerLab(lab);
  try {
    const subnet = claimSubnet(id);
    lab.subnetInfo = subnet;
    mkdirSync(names.rootDir, { recursive: true, mode: 0o755 });
    await addBridge(names.bridge, `${subnet.gateway}/24`);
    for (let n = 1; n <= options.hosts; n++) {
      const host = new LabHostImpl(lab, n, names, subnet);
      mkdirSync(host.stateDir, { recursive: true });
      await addHostNetns(host.netns, names.veth(n), names.bridge, `${host.address}/24`);
      lab.hostList.push(host);
    }
    return lab;
  } catch (e) {
    const cleanup = lab.destroyNow();
    const suffix = cleanup.length > 0 ? `\ncleanup also failed:\n - ${cleanup.join('\n - ')}` : '';
    throw new Error(`createLab ${id} (${name}): ${(e as Error).message}${suffix}`, { cause: e });
  }
}

class LabImpl implements Lab {
  readonly hostList: LabHostImpl[] = [];
  readonly processes = new Set<LabProcess>();
  subnetInfo: LabSubnet | undefined;
  private destroying: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly names: LabNames,
  ) {}

  get bridge(): string {
    return this.names.bridge;
  }
  get rootDir(): string {
    return this.names.rootDir;
  }
  get subnet(): string {
    return this.requireSubnet().cidr;
  }
  get gateway(): string {
    return this.requireSubnet().gateway;
  }
  get hosts(): readonly LabHost[] {
    return this.hostList;
  }

  host(name: string): LabHost {
    const host = this.hostList.find((h) => h.name === name);
    if (!host) throw new Error(`lab ${this.id}: no host ${name}; hosts are ${this.hostList.map((h) => h.name).join(', ')}`);
    return host;
  }

  destroy(): Promise<void> {
    // Concurrent calls share one teardown; a later call runs again and finds nothing left.
    this.destroying ??= this.stopProcesses()
      .then(() => {
        const errors = this.destroyNow();
        if (errors.length > 0) throw new Error(`lab ${this.id} (${this.name}): teardown left pieces behind:\n - ${errors.join('\n - ')}`);
      })
      .finally(() => {
        this.destroying = undefined;
      });
    return this.destroying;
  }

  destroyNow(): string[] {
    for (const p of this.processes) {
      try {
        if (!p.done) process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited, not yet reaped
      }
    }
    const errors = teardownLab(this.id);
    if (errors.length === 0) unregisterLab(this.id);
    return errors;
  }

  private async stopProcesses(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop('SIGTERM', 5_000)));
  }

  private requireSubnet(): LabSubnet {
    if (!this.subnetInfo) throw new Error(`lab ${this.id}: no subnet (creation failed)`);
    return this.subnetInfo;
  }
}

class LabHostImpl implements LabHost {
  readonly name: string;
  readonly netns: string;
  readonly address: string;
  readonly stateDir: string;
  readonly cgroupParent: string;
  private readonly veth: string;
  private spawned = 0;

  constructor(
    private readonly lab: LabImpl,
    n: number,
    names: LabNames,
    subnet: LabSubnet,
  ) {
    this.name = `h${n}`;
    this.netns = names.netns(n);
    this.address = subnet.hostAddress(n);
    this.stateDir = names.stateDir(n);
    this.cgroupParent = names.cgroupParent(n);
    this.veth = names.veth(n);
  }

  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new Error(`exec in netns ${this.netns}: empty argv`));
    return exec(netnsArgv(this.netns, argv), options);
  }

  spawn(argv: readonly string[], options: LabSpawnOptions = {}): LabProcess {
    const command = (argv[0] ?? 'process').split('/').pop() ?? 'process';
    const logName = options.logName ?? `${command}-${++this.spawned}.log`;
    const proc = spawnInNetns(this.netns, argv, {
      logPath: join(this.stateDir, logName),
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    this.lab.processes.add(proc);
    return proc;
  }

  cutLink(): Promise<void> {
    return setLinkUp(this.veth, false);
  }

  restoreLink(): Promise<void> {
    return setLinkUp(this.veth, true);
  }
}
