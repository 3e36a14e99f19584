import { join } from 'node:path';

/** Where a container's files live under the state dir. The container dir is also its OCI bundle. */
export interface ContainerPaths {
  dir: string;
  record: string;
  /** The bundle's config.json. */
  spec: string;
  rootfs: string;
  upper: string;
  work: string;
  /** Short symlinks to the layers for long lowerdir lists. */
  links: string;
  log: string;
  runtimeLog: string;
  conmonLog: string;
  pidFile: string;
  conmonPidFile: string;
  hostname: string;
  hosts: string;
  resolvConf: string;
  /** A tmpfs with the container's secrets and configs, when it has any. */
  secrets: string;
  /** conmon writes `oom` in the bundle when the container's cgroup ran out of memory. */
  oomFile: string;
}

export function containerPaths(stateDir: string, id: string): ContainerPaths {
  const dir = join(stateDir, 'containers', id);
  return {
    dir,
    record: join(dir, 'container.json'),
    spec: join(dir, 'config.json'),
    rootfs: join(dir, 'rootfs'),
    upper: join(dir, 'diff'),
    work: join(dir, 'work'),
    links: join(dir, 'l'),
    log: join(dir, 'container.log'),
    runtimeLog: join(dir, 'runtime.log'),
    conmonLog: join(dir, 'conmon.log'),
    pidFile: join(dir, 'container.pid'),
    conmonPidFile: join(dir, 'conmon.pid'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    secrets: join(dir, 'secrets'),
    oomFile: join(dir, 'oom'),
  };
}

/** conmon's exit files, one per container id, shared so one watcher sees every exit. */
export const exitDir = (stateDir: string) => join(stateDir, 'exits');
/** conmon's attach/ctl sockets. Kept short: a unix socket path has 108 bytes at most. */
export const socketDir = (stateDir: string) => join(stateDir, 'sockets');
export const volumeDataDir = (stateDir: string, name: string) => join(stateDir, 'volumes', name, '_data');
