// `berth run|create` flags, as Docker spells them, turned into the protocol's ContainerCreate.
// Pure: the environment (for `-e NAME`) and file reading (for --env-file) are passed in.
import { ContainerCreate, isIpv4, parseExposed, parseExtraHost, parseGoDuration, parsePublish } from '@berth/protocol';
import { UserError } from '../errors.ts';
import { parseFlags, type Flags, type FlagSpec } from '../flags.ts';

export const RUN_FLAGS: FlagSpec = {
  detach: { type: 'boolean', short: 'd' },
  name: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  'env-file': { type: 'string', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  hostname: { type: 'string', short: 'h' },
  label: { type: 'string', short: 'l', multiple: true },
  tty: { type: 'boolean', short: 't' },
  interactive: { type: 'boolean', short: 'i' },
  rm: { type: 'boolean' },
  'read-only': { type: 'boolean' },
  tmpfs: { type: 'string', multiple: true },
  volume: { type: 'string', short: 'v', multiple: true },
  memory: { type: 'string', short: 'm' },
  'memory-swap': { type: 'string' },
  cpus: { type: 'string' },
  'cpu-shares': { type: 'string', short: 'c' },
  'pids-limit': { type: 'string' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
  privileged: { type: 'boolean' },
  restart: { type: 'string' },
  entrypoint: { type: 'string' },
  publish: { type: 'string', short: 'p', multiple: true },
  'publish-all': { type: 'boolean', short: 'P' },
  expose: { type: 'string', multiple: true },
  network: { type: 'string', multiple: true },
  net: { type: 'string', multiple: true },
  'network-alias': { type: 'string', multiple: true },
  'net-alias': { type: 'string', multiple: true },
  ip: { type: 'string' },
  dns: { type: 'string', multiple: true },
  'dns-search': { type: 'string', multiple: true },
  'dns-option': { type: 'string', multiple: true },
  'dns-opt': { type: 'string', multiple: true },
  'add-host': { type: 'string', multiple: true },
  'health-cmd': { type: 'string' },
  'health-interval': { type: 'string' },
  'health-timeout': { type: 'string' },
  'health-start-period': { type: 'string' },
  'health-start-interval': { type: 'string' },
  'health-retries': { type: 'string' },
  'no-healthcheck': { type: 'boolean' },
  host: { type: 'string', short: 'H' },
  help: { type: 'boolean' },
};

export const RUN_USAGE = (verb: 'run' | 'create') => `Usage: berth ${verb} [OPTIONS] IMAGE [COMMAND] [ARG...]

${verb === 'run' ? 'Create and run a new container from an image' : 'Create a new container'}

Options:
${verb === 'run' ? '  -d, --detach               run in the background and print the container ID\n' : ''}      --name NAME            assign a name to the container
  -e, --env NAME=VALUE       set an environment variable (-e NAME takes it from here)
      --env-file FILE        read environment variables from a file
  -w, --workdir DIR          working directory inside the container
  -u, --user USER[:GROUP]    user to run as
  -h, --hostname NAME        container host name
  -l, --label KEY=VALUE      set metadata
  -t, --tty / -i, --interactive   allocate a terminal / keep stdin open (run -it: ctrl-p ctrl-q detaches)
      --rm                   remove the container when it exits
      --read-only            mount the root filesystem read-only
      --tmpfs PATH[:OPTS]    mount a tmpfs
  -v, --volume SRC:DST[:ro]  bind a host path (admins only), mount a named volume, or -v DST for an anonymous one
  -m, --memory SIZE          memory limit (b, k, m, g)
      --memory-swap SIZE     memory plus swap limit; -1 for unlimited swap
      --cpus N               number of CPUs (1.5)
  -c, --cpu-shares N         relative CPU weight
      --pids-limit N         process limit (-1 for unlimited)
      --cap-add CAP / --cap-drop CAP   add or drop Linux capabilities
      --privileged           give the container the host's devices and capabilities (admins only)
      --restart POLICY       no, on-failure[:N], always, unless-stopped
      --entrypoint CMD       override the image's entrypoint
      --network NETWORK      connect it to a network: bridge, host, none, or a network's name
                             (default: the host's bridge); --net is the same
      --network-alias NAME   another name for it on a user-defined network
      --ip IPV4              its address on a user-defined network
  -p, --publish [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]
                             publish a container port on the host (-p 8080:80, -p 127.0.0.1:8080:80,
                             -p 80 for any free host port, ranges as 8000-8010:8000-8010)
  -P, --publish-all          publish every exposed port to a free host port
      --expose PORT[/PROTO]  expose a port or a range without publishing it
      --dns IPV4             a DNS server for it (instead of the network's)
      --dns-search DOMAIN    a DNS search domain
      --dns-option OPTION    a resolv.conf option (ndots:2)
      --add-host NAME:IPV4   a line in its /etc/hosts
      --health-cmd CMD       command run in the container (by /bin/sh -c) to check its health
      --health-interval D    time between checks (Go duration: 500ms, 30s, 1m30s; default 30s)
      --health-timeout D     a check running longer fails (default 30s)
      --health-start-period D   failures in this time after the start do not count (default 0s)
      --health-start-interval D time between checks during the start period (default 5s)
      --health-retries N     consecutive failures that make it unhealthy (default 3)
      --no-healthcheck       disable the image's HEALTHCHECK
  -H, --host HOST            the host to create it on
`;

export interface RunArgs {
  spec: ContainerCreate;
  detach: boolean;
  host: string | undefined;
  /** --rm without -d: the CLI removes the container once it has waited for it */
  removeAfter: boolean;
  help: boolean;
}

export interface RunDeps {
  environ: Record<string, string | undefined>;
  readFile(path: string): string;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker's RAMInBytes: 512m, 1.5g, 1024k, 65536 (bytes); binary units. */
export function parseBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt])?b?$/i.exec(text.trim());
  if (!m) throw new Error(`${JSON.stringify(text)} is not a size: use a number with b, k, m or g, e.g. 512m`);
  const n = Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
  if (!Number.isSafeInteger(n)) throw new Error(`${JSON.stringify(text)} is too large`);
  return n;
}

/** --restart: no, always, unless-stopped, on-failure[:N]. */
export function parseRestartPolicy(text: string): ContainerCreate['restartPolicy'] {
  const [name, count, ...extra] = text.split(':');
  if (extra.length) throw new Error(`invalid restart policy ${JSON.stringify(text)}`);
  if (name === 'on-failure') {
    if (count === undefined) return { name, maximumRetryCount: 0 };
    if (!/^\d+$/.test(count)) throw new Error(`on-failure's retry count must be a whole number, not ${JSON.stringify(count)}`);
    return { name, maximumRetryCount: Number(count) };
  }
  if (name === 'no' || name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw new Error(`a maximum retry count can only be given with on-failure, not with ${name}`);
    return { name, maximumRetryCount: 0 };
  }
  throw new Error(`invalid restart policy ${JSON.stringify(text)}: use no, always, unless-stopped or on-failure[:N]`);
}

/** -e NAME=VALUE as is; -e NAME takes NAME's value from here, and is dropped when unset (as Docker does). */
export function envEntry(text: string, environ: Record<string, string | undefined>): string | null {
  const eq = text.indexOf('=');
  if (eq === 0 || !text.trim()) throw new Error(`invalid environment variable ${JSON.stringify(text)}: use NAME=VALUE`);
  if (eq > 0) return text;
  const v = environ[text];
  return v === undefined ? null : `${text}=${v}`;
}

/** An env file: NAME=VALUE per line, # comments and blank lines skipped, values taken literally. */
export function parseEnvFile(text: string, file: string, environ: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) return;
    if (/\s/.test(line.split('=')[0]!)) throw new Error(`${file} line ${i + 1}: variable name ${JSON.stringify(line.split('=')[0])} contains whitespace`);
    try {
      const e = envEntry(line, environ);
      if (e) out.push(e);
    } catch (err) {
      throw new Error(`${file} line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

/**
 * -v as Docker reads it: /host:/ctr[:ro|rw] binds a host path, name:/ctr[:ro|rw] mounts a named
 * volume, /ctr[:ro|rw] an anonymous one. The destination must be absolute.
 */
export function parseVolume(text: string): string {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new Error(`-v ${text}: expected SOURCE:DESTINATION[:ro], or DESTINATION for an anonymous volume`);
  const mode = parts.length === 3 || (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw')) ? parts.pop()! : undefined;
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw new Error(`-v ${text}: the mode ${JSON.stringify(mode)} is not ro or rw`);
  const [source, dest] = parts.length === 2 ? (parts as [string, string]) : [undefined, parts[0]!];
  if (!dest.startsWith('/')) throw new Error(`-v ${text}: the destination ${JSON.stringify(dest)} must be an absolute path`);
  if (source !== undefined && !source.startsWith('/') && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source)) {
    throw new Error(`-v ${text}: ${JSON.stringify(source)} is neither an absolute host path nor a volume name`);
  }
  return text;
}

const FIELD_FLAGS: Record<string, string> = {
  image: 'IMAGE', name: '--name', env: '-e', workingDir: '-w', user: '-u', hostname: '-h', labels: '-l', memory: '-m', memorySwap: '--memory-swap',
  cpus: '--cpus', cpuShares: '--cpu-shares', pidsLimit: '--pids-limit', binds: '-v', tmpfs: '--tmpfs', restartPolicy: '--restart',
  network: '--network', networkAliases: '--network-alias', ipv4Address: '--ip', publish: '-p', expose: '--expose', dns: '--dns', dnsSearch: '--dns-search',
  dnsOption: '--dns-option', addHost: '--add-host', healthcheck: '--health-*',
};

const HEALTH_DURATIONS = [
  ['health-interval', 'intervalMs'],
  ['health-timeout', 'timeoutMs'],
  ['health-start-period', 'startPeriodMs'],
  ['health-start-interval', 'startIntervalMs'],
] as const;

/** --health-cmd and friends (docker's), or --no-healthcheck; undefined when none is given. */
function healthcheckSpec(f: Flags, bad: (msg: string) => UserError, attempt: <T>(fn: () => T) => T): ContainerCreate['healthcheck'] {
  const given = ['health-cmd', 'health-retries', ...HEALTH_DURATIONS.map(([flag]) => flag)].filter((flag) => f.str(flag) !== undefined);
  if (f.bool('no-healthcheck')) {
    if (given.length) throw bad(`--no-healthcheck conflicts with --health-* options (${given.map((g) => `--${g}`).join(', ')})`);
    return { test: ['NONE'] };
  }
  if (!given.length) return undefined;
  const hc: NonNullable<ContainerCreate['healthcheck']> = {};
  const cmd = f.str('health-cmd');
  if (cmd !== undefined) {
    if (!cmd.trim()) throw bad('--health-cmd needs a command, e.g. --health-cmd "wget -q -O- localhost"');
    hc.test = ['CMD-SHELL', cmd];
  }
  for (const [flag, field] of HEALTH_DURATIONS) {
    const text = f.str(flag);
    if (text !== undefined) hc[field] = attempt(() => parseGoDuration(text, `--${flag}`));
  }
  const retries = f.int('health-retries', { min: 1 });
  if (retries !== undefined) hc.retries = retries;
  return hc;
}

/** --network, -p, -P, --expose, --ip, --network-alias, --dns*, --add-host: checked here so a bad one fails before anything is sent. */
function networkSpec(f: Flags, bad: (msg: string) => UserError, attempt: <T>(fn: () => T) => T): Partial<ContainerCreate> {
  const networks = [...new Set([...f.list('network'), ...f.list('net')])];
  if (networks.length > 1) throw bad(`--network ${networks.join(', ')}: berth connects a container to one network when it is created; connect it to more with berth network connect`);
  const network = networks[0];
  if (network === '') throw bad('--network needs a network name');
  const publish = f.list('publish');
  for (const p of publish) attempt(() => parsePublish(p));
  const expose = f.list('expose');
  for (const e of expose) attempt(() => parseExposed(e));
  const ip = f.str('ip');
  if (ip !== undefined && !isIpv4(ip)) throw bad(`--ip ${JSON.stringify(ip)} is not an IPv4 address`);
  const dns = f.list('dns');
  for (const d of dns) if (!isIpv4(d)) throw bad(`--dns ${JSON.stringify(d)} is not an IPv4 address`);
  const addHost = f.list('add-host').map((h) => attempt(() => parseExtraHost(h))).map((h) => `${h.host}:${h.ip}`);
  return {
    ...(network !== undefined ? { network } : {}),
    networkAliases: [...f.list('network-alias'), ...f.list('net-alias')],
    ...(ip !== undefined ? { ipv4Address: ip } : {}),
    publish,
    publishAll: f.bool('publish-all'),
    expose,
    dns,
    dnsSearch: f.list('dns-search'),
    dnsOption: [...f.list('dns-option'), ...f.list('dns-opt')],
    addHost,
  };
}

export function parseRunArgs(verb: 'run' | 'create', argv: string[], deps: RunDeps): RunArgs {
  const f = parseFlags(verb, argv, verb === 'run' ? RUN_FLAGS : Object.fromEntries(Object.entries(RUN_FLAGS).filter(([k]) => k !== 'detach')), { stopAtPositional: true });
  const bad = (msg: string) => new UserError(`${verb}: ${msg}`, 125);
  const attempt = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw bad((err as Error).message);
    }
  };
  if (f.bool('help')) return { spec: ContainerCreate.parse({ image: 'x' }), detach: false, host: undefined, removeAfter: false, help: true };
  const [image, ...cmd] = f.positionals;
  if (!image) throw bad(`requires at least 1 argument: berth ${verb} [OPTIONS] IMAGE [COMMAND] [ARG...]`);
  const detach = verb === 'create' || f.bool('detach');

  const env: string[] = [];
  for (const file of f.list('env-file')) {
    let text: string;
    try {
      text = deps.readFile(file);
    } catch (err) {
      throw bad(`--env-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    env.push(...attempt(() => parseEnvFile(text, file, deps.environ)));
  }
  for (const e of f.list('env')) {
    const entry = attempt(() => envEntry(e, deps.environ));
    if (entry) env.push(entry);
  }

  const labels: Record<string, string> = {};
  for (const l of f.list('label')) {
    const eq = l.indexOf('=');
    if (eq === 0 || !l) throw bad(`invalid label ${JSON.stringify(l)}: use KEY=VALUE`);
    if (eq < 0) labels[l] = '';
    else labels[l.slice(0, eq)] = l.slice(eq + 1);
  }

  const tmpfs: Record<string, string> = {};
  for (const t of f.list('tmpfs')) {
    const colon = t.indexOf(':');
    const path = colon < 0 ? t : t.slice(0, colon);
    if (!path.startsWith('/')) throw bad(`--tmpfs ${t}: the path must be absolute`);
    tmpfs[path] = colon < 0 ? '' : t.slice(colon + 1);
  }

  const workdir = f.str('workdir');
  if (workdir !== undefined && !workdir.startsWith('/')) throw bad(`the working directory ${JSON.stringify(workdir)} is invalid: it needs to be an absolute path`);

  const memoryText = f.str('memory');
  const memory = memoryText === undefined ? undefined : attempt(() => parseBytes(memoryText));
  if (memory !== undefined && memory < 6 * 1024 * 1024) throw bad('the minimum memory limit allowed is 6MB');
  const swapText = f.str('memory-swap');
  let memorySwap: number | undefined;
  if (swapText !== undefined) {
    memorySwap = swapText.trim() === '-1' ? -1 : attempt(() => parseBytes(swapText));
    if (memory === undefined) throw bad('--memory-swap needs --memory as well');
    if (memorySwap !== -1 && memorySwap < memory) throw bad('--memory-swap must be at least --memory (it counts memory plus swap), or -1 for unlimited swap');
  }

  const cpusText = f.str('cpus');
  let cpus: number | undefined;
  if (cpusText !== undefined) {
    cpus = Number(cpusText);
    if (!/^\d*\.?\d+$/.test(cpusText.trim()) || !(cpus > 0)) throw bad(`--cpus must be a positive number such as 1.5, not ${JSON.stringify(cpusText)}`);
  }
  const cpuShares = f.int('cpu-shares', { min: 2, max: 262_144 });
  const pidsLimit = f.int('pids-limit', { min: -1 });

  const restartText = f.str('restart');
  const restartPolicy = restartText === undefined ? { name: 'no' as const, maximumRetryCount: 0 } : attempt(() => parseRestartPolicy(restartText));
  if (f.bool('rm') && restartPolicy.name !== 'no') throw bad('conflicting options: --restart and --rm');

  const entrypoint = f.str('entrypoint');
  const net = networkSpec(f, bad, attempt);
  const healthcheck = healthcheckSpec(f, bad, attempt);
  const candidate = {
    image,
    ...(f.str('name') !== undefined ? { name: f.str('name') } : {}),
    ...(cmd.length ? { cmd } : {}),
    ...(entrypoint !== undefined ? { entrypoint: entrypoint === '' ? [] : [entrypoint] } : {}),
    env,
    ...(workdir !== undefined ? { workingDir: workdir } : {}),
    ...(f.str('user') !== undefined ? { user: f.str('user') } : {}),
    ...(f.str('hostname') !== undefined ? { hostname: f.str('hostname') } : {}),
    labels,
    tty: f.bool('tty'),
    openStdin: f.bool('interactive'),
    // docker run -i without -d: stdin closes when this terminal's input ends
    stdinOnce: f.bool('interactive') && !detach,
    readonlyRootfs: f.bool('read-only'),
    tmpfs,
    binds: f.list('volume').map((v) => attempt(() => parseVolume(v))),
    ...(memory !== undefined ? { memory } : {}),
    ...(memorySwap !== undefined ? { memorySwap } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(cpuShares !== undefined ? { cpuShares } : {}),
    ...(pidsLimit !== undefined ? { pidsLimit } : {}),
    capAdd: f.list('cap-add'),
    capDrop: f.list('cap-drop'),
    privileged: f.bool('privileged'),
    restartPolicy,
    // detached, the engine removes it at exit; attached, this CLI does once it has the exit code
    autoRemove: f.bool('rm') && detach,
    ...net,
    ...(healthcheck ? { healthcheck } : {}),
  };
  const parsed = ContainerCreate.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw bad(`${FIELD_FLAGS[field] ?? field}: ${issue.message}`);
  }
  return { spec: parsed.data, detach, host: f.str('host'), removeAfter: f.bool('rm') && !detach, help: false };
}
