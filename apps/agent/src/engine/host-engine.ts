import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ContainerEngine,
  detectCgroupMode,
  hostExec,
  ImageService,
  hostNet,
  lookPath,
  NetworkManager,
  parseProcLimits,
  hostRoot,
  type DetectedRuntime,
  type UsernsRemap,
} from '@berth/runtime';
import { VolumeStore } from '@berth/runtime/volumes/store';

/** What the agent's handlers drive: this host's image store and container engine. */
export interface HostEngine {
  images: ImageService;
  containers: ContainerEngine;
  volumes: VolumeStore;
  /** Bridge networks; without a default one (BERTH_BRIDGE=none) containers default to none. */
  networks: NetworkManager;
  stateDir: string;
  /** as `docker info` shows them */
  registry: { mirrors: string[]; insecure: string[] };
  /** BERTH_USERNS_REMAP as resolved; null when off */
  userns: UsernsRemap | null;
  close(): Promise<void>;
}

export interface HostEngineOptions {
  stateDir: string;
  detected: DetectedRuntime;
  cgroupParent: string;
  searchPath: string;
  registry?: { mirrors: string[]; insecure: string[] };
  /** The default bridge (dockerd's --bridge and --bip); null = no default network. */
  bridge: { name: string; subnet: string; gateway?: string } | null;
  /** Turn on IP forwarding (dockerd's --ip-forward). */
  ipForward: boolean;
  /** The nftables table; default berth. */
  nftTable?: string;
  /** Upstream DNS servers instead of the host's resolv.conf (dockerd's --dns). */
  dnsServers?: string[];
  /** dockerd's --userns-remap, resolved: containers run in a user namespace, images live in their own store. */
  userns?: UsernsRemap | null;
  /** Agent events (container lifecycle, image changes) as the protocol's event messages carry them. */
  emit: (kind: string, data: Record<string, unknown>) => void;
  log: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * Opens the engine the way dockerd starts: adopt the containers conmon kept running while the
 * agent was away, record the exits it missed, apply restart policies, then serve.
 */
export async function openHostEngine(o: HostEngineOptions): Promise<HostEngine> {
  const conmonPath = await lookPath('conmon', o.searchPath);
  if (!conmonPath) throw new Error('conmon is not installed: run `apt-get install conmon` (it holds each container so that containers outlive the agent)');
  const exec = hostExec();
  const networks = new NetworkManager({
    stateDir: o.stateDir,
    host: hostNet(exec),
    defaultBridge: o.bridge,
    ipForward: o.ipForward,
    ...(o.nftTable ? { table: o.nftTable } : {}),
    ...(o.dnsServers?.length ? { dnsServers: o.dnsServers } : {}),
    log: (level, msg) => o.log(level, msg),
  });
  await networks.load();
  const containers = new ContainerEngine({
    network: networks,
    stateDir: o.stateDir,
    runtime: o.detected.runtime,
    exec,
    conmonPath,
    cgroupLayout: detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8')),
    hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')),
    cgroupParent: o.cgroupParent,
    ...(o.userns ? { userns: o.userns.mappings } : {}),
  });
  const images = new ImageService({
    root: imageStoreRoot(o.stateDir, o.userns ?? null),
    registry: { registryMirrors: o.registry?.mirrors ?? [], insecureRegistries: o.registry?.insecure ?? [] },
    ...(o.userns ? { idMappings: o.userns.mappings } : {}),
  });
  containers.subscribe((e) =>
    o.emit('container', { action: e.action, id: e.id, name: e.name, time: e.time.toISOString(), ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}), ...(e.signal ? { signal: e.signal } : {}) }),
  );

  const report = await containers.load();
  // Rules for the containers adopted above: published ports work again after a restart or reboot.
  await networks.sync();
  o.log('info', 'container engine ready', { adopted: report.adopted.length, exited: report.exited.length, restarted: report.restarted.length, errors: report.errors });
  // --rm containers that died while the agent was away
  for (const id of report.exited) {
    const c = containers.list().find((r) => r.id === id);
    if (c?.config.autoRemove) await containers.remove(id, { force: true }).catch(() => undefined);
  }
  return {
    images,
    containers,
    volumes: new VolumeStore(o.stateDir, o.userns ? { owner: hostRoot(o.userns.mappings) } : {}),
    networks,
    stateDir: o.stateDir,
    registry: o.registry ?? { mirrors: [], insecure: [] },
    userns: o.userns ?? null,
    close: async () => {
      await containers.close();
      await networks.close();
    },
  };
}

/**
 * Where images and unpacked layers live: <stateDir>/images, or under remapping a store of its
 * own, <stateDir>/<uid>.<gid>/images for the range's first uid and gid (dockerd's
 * /var/lib/docker/<uid>.<gid>/), since its layers' owners are shifted. Switching remapping
 * off or on leaves the other store as it is: its images are there again when switched back.
 */
export function imageStoreRoot(stateDir: string, userns: UsernsRemap | null): string {
  return userns ? join(stateDir, `${userns.uid.start}.${userns.gid.start}`, 'images') : join(stateDir, 'images');
}

/** The containers that use an image, by name, so that `rmi` can refuse and say which. */
export function imageUsers(engine: ContainerEngine, imageId: string): string[] {
  return engine.list().filter((c) => c.image.id === imageId).map((c) => c.name);
}

/** The containers that mount a volume, by name. */
export function volumeUsers(engine: ContainerEngine, volume: string): string[] {
  return engine.list().filter((c) => (c.config.volumes ?? []).some((v) => v.name === volume)).map((c) => c.name);
}
