// The container's main process from the image config and the user's overrides, by Docker's
// rules (moby daemon/create.go, container/container.go).
import type { ContainerConfig, ImageConfig } from './config.ts';
import { invalid } from './errors.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * entrypoint + cmd. An entrypoint override also drops the image's Cmd (Docker: "--entrypoint
 * resets the image's CMD"); `entrypoint: []` clears the image's entrypoint.
 */
export function resolveArgs(image: ImageConfig, config: Pick<ContainerConfig, 'entrypoint' | 'cmd'>): string[] {
  const entrypoint = config.entrypoint ?? image.Entrypoint ?? [];
  const cmd = config.cmd ?? (config.entrypoint !== undefined ? [] : (image.Cmd ?? []));
  const args = [...entrypoint, ...cmd];
  // `--entrypoint ""` arrives as [""]: an empty program is no program.
  while (args.length > 0 && args[0] === '') args.shift();
  if (args.length === 0) throw invalid('No command specified: give a command, or use an image with an Entrypoint or Cmd');
  return args;
}

/**
 * The process environment: PATH default, HOSTNAME, the image's Env, then the user's (later
 * wins by key), TERM=xterm with a TTY (as Docker).
 */
export function resolveEnv(image: ImageConfig, config: Pick<ContainerConfig, 'env' | 'tty'>, hostname: string): string[] {
  const merged = new Map<string, string>();
  const put = (entry: string) => {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? entry : entry.slice(0, eq);
    if (key === '') throw invalid(`invalid environment variable "${entry}": the name is empty`);
    // "KEY" without "=" is passed only when given a value; Docker reads it from the client env.
    if (eq === -1) return;
    merged.set(key, entry);
  };
  put(`PATH=${DEFAULT_PATH}`);
  put(`HOSTNAME=${hostname}`);
  if (config.tty) put('TERM=xterm');
  for (const e of image.Env ?? []) put(e);
  for (const e of config.env ?? []) put(e);
  return [...merged.values()];
}

export function resolveWorkingDir(image: ImageConfig, config: Pick<ContainerConfig, 'workingDir'>): string {
  const dir = config.workingDir || image.WorkingDir || '/';
  if (!dir.startsWith('/')) throw invalid(`the working directory "${dir}" is invalid: it needs to be an absolute path`);
  return dir;
}
