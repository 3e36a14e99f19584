import { splitShellWords } from './shell-words.ts';

/** What the run form holds, as the user typed it. */
export interface RunForm {
  image: string;
  name: string;
  command: string;
  /** one NAME=value a line */
  env: string;
  /** one host-path-or-volume:container-path[:ro] a line */
  volumes: string;
  memory: string;
  cpus: string;
  restart: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  maxRetries: string;
  autoRemove: boolean;
  tty: boolean;
  detached: boolean;
}

export const emptyRunForm = (image = ''): RunForm => ({
  image, name: '', command: '', env: '', volumes: '', memory: '', cpus: '', restart: 'no', maxRetries: '', autoRemove: false, tty: false, detached: true,
});

/** The `docker run` flags the form carries, in the API's ContainerCreate names. */
export interface RunSpec {
  image: string;
  name?: string;
  cmd?: string[];
  env: string[];
  labels: Record<string, string>;
  binds: string[];
  memory?: number;
  cpus?: number;
  restartPolicy: { name: RunForm['restart']; maximumRetryCount: number };
  autoRemove: boolean;
  tty: boolean;
}

export type RunErrors = Partial<Record<keyof RunForm, string>>;

export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's RAMInBytes: "512m", "1g", "1.5GiB", "1048576"; units are 1024-based. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?(?:i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * 1024 ** power);
}

const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter((l) => l !== '');

/** One bind: SOURCE:DEST[:OPTIONS], DEST absolute, OPTIONS from ro, rw, z, Z. */
function checkBind(b: string): string | null {
  const parts = b.split(':');
  if (parts.length < 2 || parts.length > 3) return `"${b}" is not SOURCE:/container/path[:ro]`;
  const [src, dest, opts] = parts as [string, string, string | undefined];
  if (!src) return `"${b}" has no source (a host path or a volume name)`;
  if (!dest.startsWith('/')) return `"${b}": the container path must be absolute`;
  if (opts !== undefined && !opts.split(',').every((o) => ['ro', 'rw', 'z', 'Z'].includes(o))) return `"${b}": options are ro or rw`;
  return null;
}

/**
 * Checks the form as the user types and builds the spec when it is right. Fields left empty
 * are not errors, except the image.
 */
export function validateRunForm(f: RunForm, hostCpus?: number): { errors: RunErrors; spec: RunSpec | null } {
  const errors: RunErrors = {};
  const image = f.image.trim();
  if (!image) errors.image = 'an image is needed, as repository[:tag] or an image ID';
  else if (/\s/.test(image)) errors.image = 'an image reference has no blanks';

  const name = f.name.trim();
  if (name && !CONTAINER_NAME.test(name)) errors.name = 'a name is [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least, starting with a letter or digit)';

  let cmd: string[] | undefined;
  if (f.command.trim()) {
    const r = splitShellWords(f.command);
    if ('error' in r) errors.command = r.error;
    else cmd = r.words;
  }

  const env = lines(f.env);
  const badEnv = env.find((e) => !/^[^=\s]+=/.test(e));
  if (badEnv !== undefined) errors.env = `"${badEnv}" is not NAME=value`;

  const binds = lines(f.volumes);
  for (const b of binds) {
    const err = checkBind(b);
    if (err) {
      errors.volumes = err;
      break;
    }
  }

  let memory: number | undefined;
  if (f.memory.trim()) {
    const bytes = parseMemory(f.memory);
    if (bytes === null) errors.memory = 'write a size like 512m or 1g';
    else if (bytes < MIN_MEMORY) errors.memory = 'the smallest memory limit is 6m';
    else memory = bytes;
  }

  let cpus: number | undefined;
  if (f.cpus.trim()) {
    const n = Number(f.cpus);
    if (!Number.isFinite(n) || n <= 0) errors.cpus = 'a positive number of CPUs, like 0.5 or 2';
    else if (hostCpus && n > hostCpus) errors.cpus = `the host has ${hostCpus} CPUs`;
    else cpus = n;
  }

  let maximumRetryCount = 0;
  if (f.maxRetries.trim()) {
    const n = Number(f.maxRetries);
    if (f.restart !== 'on-failure') errors.maxRetries = 'a retry count goes with on-failure only';
    else if (!Number.isInteger(n) || n < 0) errors.maxRetries = 'a whole number, 0 for no limit';
    else maximumRetryCount = n;
  }
  if (f.autoRemove && f.restart !== 'no') errors.autoRemove = '--rm and a restart policy conflict: choose one';

  if (Object.keys(errors).length > 0) return { errors, spec: null };
  return {
    errors,
    spec: {
      image,
      ...(name ? { name } : {}),
      ...(cmd && cmd.length > 0 ? { cmd } : {}),
      env,
      labels: {},
      binds,
      ...(memory !== undefined ? { memory } : {}),
      ...(cpus !== undefined ? { cpus } : {}),
      restartPolicy: { name: f.restart, maximumRetryCount },
      autoRemove: f.autoRemove,
      tty: f.tty,
    },
  };
}
