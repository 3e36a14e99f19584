import { readHostFacts, rootedHostFs, sampleHostMetrics, type DetectedRuntime } from '@berth/runtime';
import type { HostFacts, HostMetrics } from '@berth/protocol';
import type { AgentContext } from './handlers/index.ts';

/** The agent's view of its host, as the protocol reports it (`docker info`). */
export function createHostContext(o: { stateDir: string; agentVersion: string; detected: DetectedRuntime }): AgentContext {
  const fs = rootedHostFs('/');
  const runtime = { name: o.detected.chosen.name, version: o.detected.chosen.version ?? 'unknown', path: o.detected.chosen.path ?? o.detected.chosen.name };
  const refused = o.detected.probes.filter((p) => !p.ok).map((p) => ({ name: p.name, reason: p.reason ?? 'unknown' }));
  return {
    async facts(): Promise<HostFacts> {
      const f = await readHostFacts({ fs, stateDir: o.stateDir });
      return {
        hostname: f.hostname,
        kernel: f.kernelRelease,
        os: f.operatingSystem,
        architecture: f.architecture,
        cpus: f.cpuCount,
        memoryBytes: f.memoryTotalBytes,
        cgroupVersion: f.cgroup.version,
        cgroupMode: f.cgroup.mode,
        cgroupDriver: f.cgroup.driver,
        storageDriver: f.storage.driver,
        backingFilesystem: f.storage.backingFilesystem,
        runtime,
        runtimesRefused: refused,
        // the container engine arrives with its own issue; until then the host has none
        containers: { total: 0, running: 0, paused: 0, stopped: 0 },
        images: 0,
        registryMirrors: [],
        agentVersion: o.agentVersion,
        stateDir: o.stateDir,
      };
    },
    async metrics(): Promise<HostMetrics> {
      const m = await sampleHostMetrics({ fs, stateDir: o.stateDir, intervalMs: 200 });
      return {
        cpuPercent: Math.min(100, Math.max(0, m.cpuPercent)),
        memoryUsedBytes: m.memory.usedBytes,
        memoryTotalBytes: m.memory.totalBytes,
        diskUsedBytes: m.disk.usedBytes,
        diskTotalBytes: m.disk.totalBytes,
      };
    },
  };
}
