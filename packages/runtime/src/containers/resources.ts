// Docker's resource flags → OCI linux.resources, and the cgroup files they end up in on
// v1 and v2 (runc does that translation; stats and tests read the files).
import type { LinuxCpu, LinuxMemory } from '../spec/run-opts.ts';
import type { Resources } from './config.ts';
import { invalid } from './errors.ts';

/** Docker refuses less (daemon/daemon_unix.go linuxMinMemory). */
export const MIN_MEMORY = 6 * 1024 * 1024;
export const CPU_PERIOD_US = 100_000;

export interface ResourceHost {
  /** Swap accounting is on (v1: memory.memsw.* exist; v2: memory.swap.max exists). */
  swapAccounting: boolean;
  /** Online CPUs, the ceiling for --cpus. */
  cpus: number;
}

export interface MappedResources {
  memory?: LinuxMemory;
  cpu?: LinuxCpu;
  pids?: { limit: number };
}

/** Validates the flags as Docker does and maps them; throws an `invalid` error naming the flag. */
export function mapResources(r: Resources | undefined, host: ResourceHost): MappedResources {
  const out: MappedResources = {};
  if (!r) return out;
  if (r.memory !== undefined && r.memory > 0) {
    if (r.memory < MIN_MEMORY) throw invalid(`Minimum memory limit allowed is 6MB (--memory ${r.memory})`);
    const memory: LinuxMemory = { limit: r.memory };
    if (host.swapAccounting) {
      if (r.memorySwap === undefined || r.memorySwap === 0) memory.swap = r.memory * 2;
      else if (r.memorySwap === -1) memory.swap = -1;
      else if (r.memorySwap < r.memory) throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
      else memory.swap = r.memorySwap;
    }
    out.memory = memory;
  } else if (r.memorySwap !== undefined && r.memorySwap !== 0 && r.memorySwap !== -1) {
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  const cpu: LinuxCpu = {};
  if (r.nanoCpus !== undefined && r.nanoCpus !== 0) {
    if (r.nanoCpus < 0.01e9 || r.nanoCpus > host.cpus * 1e9) {
      throw invalid(`Range of CPUs is from 0.01 to ${host.cpus.toFixed(2)}, as there are only ${host.cpus} CPUs available`);
    }
    cpu.period = CPU_PERIOD_US;
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD_US) / 1e9);
  }
  if (r.cpuShares !== undefined && r.cpuShares !== 0) {
    if (r.cpuShares < 2 || r.cpuShares > 262_144) throw invalid(`--cpu-shares ${r.cpuShares} is out of range: use 2 to 262144`);
    cpu.shares = r.cpuShares;
  }
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit > 0) out.pids = { limit: r.pidsLimit };
  return out;
}

/**
 * The cgroup files (relative to the controller directory on v1, to the group on v2) and
 * values a runtime writes for `m`. v2 keeps swap apart from memory (memory.swap.max =
 * swap - limit) and weighs CPU 1..10000 instead of shares 2..262144.
 */
export function cgroupFiles(m: MappedResources, version: 1 | 2): Record<string, string> {
  const f: Record<string, string> = {};
  if (version === 1) {
    if (m.memory?.limit !== undefined) f['memory/memory.limit_in_bytes'] = String(m.memory.limit);
    if (m.memory?.swap !== undefined) f['memory/memory.memsw.limit_in_bytes'] = m.memory.swap === -1 ? String(2 ** 63 - 4096) : String(m.memory.swap);
    if (m.cpu?.quota !== undefined) f['cpu/cpu.cfs_quota_us'] = String(m.cpu.quota);
    if (m.cpu?.period !== undefined) f['cpu/cpu.cfs_period_us'] = String(m.cpu.period);
    if (m.cpu?.shares !== undefined) f['cpu/cpu.shares'] = String(m.cpu.shares);
    if (m.pids) f['pids/pids.max'] = String(m.pids.limit);
    return f;
  }
  if (m.memory?.limit !== undefined) f['memory.max'] = String(m.memory.limit);
  if (m.memory?.swap !== undefined && m.memory.limit !== undefined) {
    f['memory.swap.max'] = m.memory.swap === -1 ? 'max' : String(m.memory.swap - m.memory.limit);
  }
  if (m.cpu?.quota !== undefined) f['cpu.max'] = `${m.cpu.quota} ${m.cpu.period ?? CPU_PERIOD_US}`;
  if (m.cpu?.shares !== undefined) f['cpu.weight'] = String(sharesToWeight(m.cpu.shares));
  if (m.pids) f['pids.max'] = String(m.pids.limit);
  return f;
}

/** runc's conversion (libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value). */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return Math.floor(1 + ((shares - 2) * 9999) / 262_142);
}
