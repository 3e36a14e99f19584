import { DurationError, parseGoDuration } from '@berth/protocol/durations';
import { isIpv4, parseExposed, parseExtraHost, parsePublish, PortSpecError } from '@berth/protocol/ports';
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
  /** -i: keep stdin open, so that an attach can type into the main process */
  interactive: boolean;
  /** -t */
  tty: boolean;
  detached: boolean;
  /** --network: '' = the host's default, else bridge, host, none or a network's name */
  network: string;
  /** --network-alias, separated by blanks or commas */
  networkAliases: string;
  /** -p, one [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL] a line */
  publish: string;
  /** -P */
  publishAll: boolean;
  /** --expose, separated by blanks or commas */
  expose: string;
  /** --dns, separated by blanks or commas */
  dns: string;
  /** --add-host, one NAME:IP a line */
  addHost: string;
  /** --health-cmd, run by /bin/sh -c */
  healthCmd: string;
  /** --health-interval, --health-timeout, --health-start-period: Go durations (30s, 1m30s) */
  healthInterval: string;
  healthTimeout: string;
  healthStartPeriod: string;
  /** --health-retries */
  healthRetries: string;
  /** --no-healthcheck */
  noHealthcheck: boolean;
}

export const emptyRunForm = (image = ''): RunForm => ({
  image, name: '', command: '', env: '', volumes: '', memory: '', cpus: '', restart: 'no', maxRetries: '', autoRemove: false, interactive: false, tty: false, detached: true,
  network: '', networkAliases: '', publish: '', publishAll: false, expose: '', dns: '', addHost: '',
  healthCmd: '', healthInterval: '', healthTimeout: '', healthStartPeriod: '', healthRetries: '', noHealthcheck: false,
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
  openStdin: boolean;
  /** always false from the dashboard: its containers run detached, and stdin outlives each attach */
  stdinOnce: false;
  network?: string;
  networkAliases?: string[];
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  addHost?: string[];
  healthcheck?: { test?: string[]; intervalMs?: number; timeoutMs?: number; startPeriodMs?: number; retries?: number };
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
const words = (text: string): string[] => text.split(/[\s,]+/).filter((w) => w !== '');

/** The first entry the parser refuses, with the parser's own words. */
function firstRefusal(entries: string[], parse: (s: string) => unknown): string | null {
  for (const e of entries) {
    try {
      parse(e);
    } catch (err) {
      if (err instanceof PortSpecError) return err.message;
      throw err;
    }
  }
  return null;
}

const NETWORK_ALIAS = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

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

  const network = f.network.trim();
  // the built-in modes have no endpoint of their own: no alias, no published port
  const builtin = network === 'host' || network === 'none';
  const publish = lines(f.publish);
  const publishError = firstRefusal(publish, parsePublish);
  if (publishError) errors.publish = publishError;
  else if (publish.length && builtin) errors.publish = `ports cannot be published with --network ${network}: ${network === 'host' ? 'the container listens on the host\'s ports directly' : 'the container has no network'}`;
  else {
    const seen = new Set<string>();
    for (const b of publish.flatMap(parsePublish)) {
      const key = `${b.hostIp}:${b.hostPort}/${b.protocol}`;
      if (b.hostPort !== 0 && seen.has(key)) {
        errors.publish = `host port ${b.hostPort}/${b.protocol} is published twice`;
        break;
      }
      seen.add(key);
    }
  }
  if (f.publishAll && builtin) errors.publishAll = `-P publishes nothing with --network ${network}`;

  const expose = words(f.expose);
  const exposeError = firstRefusal(expose, parseExposed);
  if (exposeError) errors.expose = exposeError;

  const aliases = words(f.networkAliases);
  const badAlias = aliases.find((a) => !NETWORK_ALIAS.test(a));
  if (badAlias !== undefined) errors.networkAliases = `"${badAlias}": an alias is [a-zA-Z0-9][a-zA-Z0-9_.-]*`;
  else if (aliases.length && (builtin || network === '' || network === 'bridge' || network === 'default')) {
    errors.networkAliases = builtin ? `aliases need a bridge network, not --network ${network}` : 'aliases work on user-defined networks only: choose one under Network';
  }

  const dns = words(f.dns);
  const badDns = dns.find((d) => !isIpv4(d));
  if (badDns !== undefined) errors.dns = `"${badDns}": a DNS server is an IPv4 address, e.g. 10.0.0.2`;

  const addHost = lines(f.addHost);
  const addHostError = firstRefusal(addHost, parseExtraHost);
  if (addHostError) errors.addHost = addHostError;

  const healthcheck = healthSpec(f, errors);

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
      openStdin: f.interactive,
      stdinOnce: false,
      ...(network ? { network } : {}),
      ...(aliases.length ? { networkAliases: aliases } : {}),
      ...(publish.length ? { publish } : {}),
      ...(f.publishAll ? { publishAll: true } : {}),
      ...(expose.length ? { expose } : {}),
      ...(dns.length ? { dns } : {}),
      ...(addHost.length ? { addHost } : {}),
      ...(healthcheck ? { healthcheck } : {}),
    },
  };
}

/** --health-* as docker takes them (the CLI's parser), or --no-healthcheck; undefined when none is set. */
function healthSpec(f: RunForm, errors: RunErrors): RunSpec['healthcheck'] {
  const durations = [['healthInterval', 'intervalMs'], ['healthTimeout', 'timeoutMs'], ['healthStartPeriod', 'startPeriodMs']] as const;
  const set = f.healthCmd.trim() !== '' || f.healthRetries.trim() !== '' || durations.some(([key]) => f[key].trim() !== '');
  if (f.noHealthcheck) {
    if (set) errors.noHealthcheck = 'no healthcheck conflicts with the health fields: clear them, or untick it';
    return { test: ['NONE'] };
  }
  if (!set) return undefined;
  const hc: NonNullable<RunSpec['healthcheck']> = {};
  if (f.healthCmd.trim()) hc.test = ['CMD-SHELL', f.healthCmd.trim()];
  for (const [key, field] of durations) {
    if (!f[key].trim()) continue;
    try {
      hc[field] = parseGoDuration(f[key], 'duration');
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      errors[key] = err.message;
    }
  }
  if (f.healthRetries.trim()) {
    const n = Number(f.healthRetries);
    if (!Number.isInteger(n) || n < 1) errors.healthRetries = 'a whole number of at least 1';
    else hc.retries = n;
  }
  return hc;
}
