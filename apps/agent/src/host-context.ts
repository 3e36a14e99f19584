import { readFile } from 'node:fs/promises';
import { readHostFacts, rootedHostFs, sampleHostMetrics, type DetectedRuntime } from '@berth/runtime';
import type { HostFacts, HostMetrics } from '@berth/protocol';
import type { HostEngine } from './engine/host-engine.ts';
import { listContainers } from './handlers/containers.ts';
import { listImages } from './handlers/images.ts';
import type { AgentContext } from './handlers/index.ts';
import { listVolumes } from './handlers/volumes.ts';
import { listNetworks } from './handlers/networks.ts';

const noStream = { stream: null };

/** The agent's view of its host, as the protocol reports it (`docker info`). */
export function createHostContext(o: { stateDir: string; agentVersion: string; detected: DetectedRuntime; engine: HostEngine; emit: AgentContext['emit'] }): AgentContext {
  const fs = rootedHostFs('/');
  const runtime = { name: o.detected.chosen.name, version: o.detected.chosen.version ?? 'unknown', path: o.detected.chosen.path ?? o.detected.chosen.name };
  const refused = o.detected.probes.filter((p) => !p.ok).map((p) => ({ name: p.name, reason: p.reason ?? 'unknown' }));
  const ctx: AgentContext = {
    engine: o.engine,
    emit: o.emit,
    async inventory() {
      const [containers, images, volumes, networks] = await Promise.all([
        listContainers({ all: true }, ctx, noStream),
        listImages({ all: false }, ctx, noStream),
        listVolumes({}, ctx, noStream),
        listNetworks({}, ctx, noStream),
      ]);
      return { containers, images, volumes, networks };
    },
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
        containers: countContainers(o.engine),
        images: new Set((await o.engine.images.list()).map((i) => i.id)).size,
        registryMirrors: o.engine.registry.mirrors,
        insecureRegistries: ['127.0.0.0/8', ...o.engine.registry.insecure],
        ipForwarding: (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0')).trim() === '1',
        defaultBridge: defaultBridgeOf(o.engine),
        agentVersion: o.agentVersion,
        stateDir: o.stateDir,
        securityOptions: ['name=seccomp,profile=builtin', ...(o.engine.userns ? ['name=userns'] : [])],
        usernsRemap: o.engine.userns ? { user: o.engine.userns.user, group: o.engine.userns.group, uid: o.engine.userns.uid, gid: o.engine.userns.gid } : null,
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
  return ctx;
}

/** `docker info`'s Containers/Running/Paused/Stopped: restarting counts as running, as there. */
function countContainers(engine: HostEngine): HostFacts['containers'] {
  const all = engine.containers.list();
  const running = all.filter((c) => c.state.status === 'running' || c.state.status === 'restarting').length;
  const paused = all.filter((c) => c.state.status === 'paused').length;
  return { total: all.length, running, paused, stopped: all.length - running - paused };
}

function defaultBridgeOf(engine: HostEngine): { name: string; subnet: string; gateway: string } | null {
  const n = engine.networks.list().find((x) => x.isDefault);
  return n ? { name: n.bridge, subnet: n.subnet, gateway: n.gateway } : null;
}
