// One host as the scheduler sees it while deciding one service: whether it may keep and take
// replicas, what is left of its CPUs and memory, and, when it cannot take one more, why.
import { unmetConstraints, type Constraint } from './constraints.ts';
import { formatBytes, formatCpus, type HostRefusal } from './explain.ts';

export type HostStatus = 'online' | 'degraded' | 'offline' | (string & {});

/** What the scheduler needs to know of a host (the reconciler reads it from the database). */
export interface SchedulableHost {
  id: string;
  name: string;
  /** online takes new replicas; degraded keeps its replicas but takes none; anything else keeps none */
  status: HostStatus;
  labels: Record<string, string>;
  /** null until the agent has reported its facts */
  facts: { os: string; architecture: string; cpus: number; memoryBytes: number } | null;
  /** what replicas of other services already reserve on the host: the scheduler adds this service's own */
  reserved: { cpus: number; memoryBytes: number };
  /** running containers on the host, of any service or none: the tie-break when spreading */
  containers: number;
}

/** What each replica asks of a host. */
export interface ReplicaAsk {
  nanoCpus: number;
  memoryBytes: number;
  /** maxReplicasPerHost, Infinity when unset */
  maxPerHost: number;
}

export const toNanoCpus = (cpus: number): number => Math.round(cpus * 1e9);

export class HostState {
  /** "constraint … not met (…)" for each constraint the host fails */
  readonly unmet: string[];
  /** online or degraded: connected, so its replicas are left where they are */
  readonly available: boolean;
  /** available, and every constraint holds: its replicas of this service may stay */
  readonly canKeep: boolean;
  /** only online hosts take new replicas */
  readonly online: boolean;
  /** this service's replicas on the host: those kept, then those placed */
  replicas = 0;
  containers: number;
  /** CPUs and memory not reserved by other services; NaN without facts */
  private readonly cpuNano: number;
  private readonly memory: number;

  constructor(
    readonly host: SchedulableHost,
    constraints: readonly Constraint[],
    private readonly ask: ReplicaAsk,
  ) {
    this.unmet = constraints.length ? unmetConstraints(constraints, host) : [];
    this.online = host.status === 'online';
    this.available = this.online || host.status === 'degraded';
    this.canKeep = this.available && this.unmet.length === 0;
    this.containers = host.containers;
    this.cpuNano = host.facts ? host.facts.cpus * 1e9 - toNanoCpus(host.reserved.cpus) : Number.NaN;
    this.memory = host.facts ? host.facts.memoryBytes - host.reserved.memoryBytes : Number.NaN;
  }

  get name(): string {
    return this.host.name;
  }

  private get asksResources(): boolean {
    return this.ask.nanoCpus > 0 || this.ask.memoryBytes > 0;
  }

  private freeCpuNano(): number {
    return this.cpuNano - this.replicas * this.ask.nanoCpus;
  }

  private freeMemory(): number {
    return this.memory - this.replicas * this.ask.memoryBytes;
  }

  /** Whether one more new replica may go here now. */
  fits(): boolean {
    if (!this.canKeep || !this.online || this.replicas >= this.ask.maxPerHost) return false;
    if (!this.asksResources) return true;
    // NaN (no facts) compares false: no room
    return this.freeCpuNano() >= this.ask.nanoCpus && this.freeMemory() >= this.ask.memoryBytes;
  }

  /** How full the host is, 0..1, by the scarcer of CPU and memory: binpack's order. */
  fullness(): number {
    const f = this.host.facts;
    if (!f) return 0;
    const cpu = f.cpus > 0 ? (toNanoCpus(this.host.reserved.cpus) + this.replicas * this.ask.nanoCpus) / (f.cpus * 1e9) : 0;
    const mem = f.memoryBytes > 0 ? (this.host.reserved.memoryBytes + this.replicas * this.ask.memoryBytes) / f.memoryBytes : 0;
    return Math.max(cpu, mem);
  }

  /** "h4: offline", "h2: degraded (…)", "h9: pending" */
  statusMessage(): string {
    const s = this.host.status;
    if (s === 'degraded') return `${this.name}: degraded (missed heartbeats): no new replicas until it is online again`;
    return `${this.name}: ${s}`;
  }

  /** Why one more new replica may not go here, or null when it may. */
  refusal(): HostRefusal | null {
    const r = (kind: HostRefusal['kind'], why: string): HostRefusal => ({ hostId: this.host.id, host: this.name, kind, message: why });
    if (!this.online) return r('unavailable', this.statusMessage());
    if (this.unmet.length) return r('constraints', `${this.name}: ${this.unmet.join('; ')}`);
    if (this.replicas >= this.ask.maxPerHost) return r('max-replicas', `${this.name}: max replicas per host (${this.ask.maxPerHost}) reached`);
    if (!this.asksResources) return null;
    if (!this.host.facts) return r('resources', `${this.name}: resources unknown: the host has not reported its facts yet`);
    const short: string[] = [];
    if (this.freeMemory() < this.ask.memoryBytes) short.push(`not enough memory (asks ${formatBytes(this.ask.memoryBytes)}, ${formatBytes(this.freeMemory())} free)`);
    if (this.freeCpuNano() < this.ask.nanoCpus) short.push(`not enough CPUs (asks ${formatCpus(this.ask.nanoCpus)}, ${formatCpus(this.freeCpuNano())} free)`);
    return short.length ? r('resources', `${this.name}: ${short.join('; ')}`) : null;
  }
}
