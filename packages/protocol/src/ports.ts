// Docker's published-port syntax (`-p`), parsed once here for the CLI, the dashboard's run form
// and the agent, and Docker's way of printing ports in `ps` (`0.0.0.0:8080->80/tcp`).

export type PortProtocol = 'tcp' | 'udp';

/** One host port forwarded to one container port. hostPort 0 = any free port (as `-p 80`). */
export interface PortBinding {
  /** "" = every address of the host (Docker's 0.0.0.0). */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: PortProtocol;
}

export class PortSpecError extends Error {
  override readonly name = 'PortSpecError';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

/** "80" or "8000-8010" → [first, last]; every port within 1..65535. */
function portRange(s: string, what: string, spec: string): [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  if (!m) throw new PortSpecError(`invalid ${what} "${s}" in "${spec}": use a number from 1 to 65535 or a range such as 8000-8010`);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  for (const p of [first, last]) {
    if (p < 1 || p > 65535) throw new PortSpecError(`invalid ${what} ${p} in "${spec}": ports go from 1 to 65535`);
  }
  if (last < first) throw new PortSpecError(`invalid ${what} range "${s}" in "${spec}": the end is below the start`);
  return [first, last];
}

function protocolOf(s: string | undefined, spec: string): PortProtocol {
  const p = (s ?? 'tcp').toLowerCase();
  if (p !== 'tcp' && p !== 'udp') throw new PortSpecError(`invalid protocol "${s}" in "${spec}": use tcp or udp`);
  return p;
}

/**
 * `-p` as Docker takes it: containerPort, hostPort:containerPort, ip:hostPort:containerPort,
 * ip::containerPort, each port possibly a range and followed by /tcp or /udp.
 */
export function parsePublish(spec: string): PortBinding[] {
  const s = spec.trim();
  if (!s) throw new PortSpecError('empty port mapping: use -p HOSTPORT:CONTAINERPORT, e.g. -p 8080:80');
  const slash = s.lastIndexOf('/');
  const protocol = protocolOf(slash >= 0 ? s.slice(slash + 1) : undefined, spec);
  const body = slash >= 0 ? s.slice(0, slash) : s;
  // An IPv6 host address comes in brackets: [::1]:8080:80
  if (body.startsWith('[')) throw new PortSpecError(`"${spec}": berth publishes ports on IPv4 only; use an IPv4 address or none`);
  let hostIp = '';
  let rest = body;
  const parts = rest.split(':');
  if (parts.length > 3) throw new PortSpecError(`invalid port mapping "${spec}": use [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL]`);
  if (parts.length === 3) {
    hostIp = parts[0] as string;
    if (!isIpv4(hostIp)) throw new PortSpecError(`invalid host address "${hostIp}" in "${spec}": give an IPv4 address such as 127.0.0.1`);
    if (hostIp === '0.0.0.0') hostIp = '';
    rest = `${parts[1]}:${parts[2]}`;
  }
  const [hostPart, containerPart] = rest.includes(':') ? (rest.split(':') as [string, string]) : ['', rest];
  const [cFirst, cLast] = portRange(containerPart, 'container port', spec);
  if (hostPart === '') {
    const out: PortBinding[] = [];
    for (let p = cFirst; p <= cLast; p++) out.push({ hostIp, hostPort: 0, containerPort: p, protocol });
    return out;
  }
  const [hFirst, hLast] = portRange(hostPart, 'host port', spec);
  const count = cLast - cFirst + 1;
  const hostCount = hLast - hFirst + 1;
  // (Docker also takes one container port with a host range, meaning any free port of the range;
  // berth asks for ranges of the same length.)
  if (hostCount !== count) {
    throw new PortSpecError(`invalid port mapping "${spec}": the host range has ${hostCount} ports and the container range ${count}; give ranges of the same length`);
  }
  const out: PortBinding[] = [];
  for (let i = 0; i < count; i++) out.push({ hostIp, hostPort: hFirst + i, containerPort: cFirst + i, protocol });
  return out;
}

/** `--expose 80`, `--expose 8000-8010/udp`, and the image's ExposedPorts keys ("80/tcp"). */
export function parseExposed(spec: string): { port: number; protocol: PortProtocol }[] {
  const [ports = '', proto] = spec.trim().split('/');
  const protocol = protocolOf(proto, spec);
  const [first, last] = portRange(ports, 'port', spec);
  const out: { port: number; protocol: PortProtocol }[] = [];
  for (let p = first; p <= last; p++) out.push({ port: p, protocol });
  return out;
}

/** What `ps` shows of a container's published and exposed ports. */
export interface PortEntry {
  containerPort: number;
  protocol: PortProtocol;
  /** Absent when the port is only exposed. */
  hostIp?: string;
  hostPort?: number;
}

/**
 * Docker's PORTS column: `0.0.0.0:8080->80/tcp, 443/tcp`, with consecutive ports grouped as
 * `0.0.0.0:8000-8001->8000-8001/tcp`.
 */
export function formatPorts(entries: readonly PortEntry[]): string {
  const sorted = [...entries].sort(
    (a, b) => (a.hostIp ?? '').localeCompare(b.hostIp ?? '') || a.protocol.localeCompare(b.protocol) || a.containerPort - b.containerPort,
  );
  const groups: { first: PortEntry; last: PortEntry }[] = [];
  for (const e of sorted) {
    const g = groups.at(-1);
    const cont =
      g &&
      g.last.protocol === e.protocol &&
      (g.last.hostIp ?? null) === (e.hostIp ?? null) &&
      g.last.containerPort + 1 === e.containerPort &&
      (e.hostPort === undefined ? g.last.hostPort === undefined : g.last.hostPort !== undefined && g.last.hostPort + 1 === e.hostPort);
    if (cont) g.last = e;
    else groups.push({ first: e, last: e });
  }
  const range = (a: number, b: number): string => (a === b ? `${a}` : `${a}-${b}`);
  return groups
    .map(({ first, last }) => {
      const c = `${range(first.containerPort, last.containerPort)}/${first.protocol}`;
      if (first.hostPort === undefined) return c;
      return `${first.hostIp || '0.0.0.0'}:${range(first.hostPort, last.hostPort ?? first.hostPort)}->${c}`;
    })
    .join(', ');
}

/** `--add-host name:ip` (Docker also accepts name=ip). */
export function parseExtraHost(spec: string): { host: string; ip: string } {
  const m = /^([A-Za-z0-9]([A-Za-z0-9.-]{0,252}))[:=](.+)$/.exec(spec.trim());
  if (!m || !isIpv4(m[3] as string)) {
    throw new PortSpecError(`invalid --add-host "${spec}": use NAME:IPv4, e.g. db.local:10.0.0.5`);
  }
  return { host: m[1] as string, ip: m[3] as string };
}
