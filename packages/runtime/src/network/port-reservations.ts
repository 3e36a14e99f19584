// Host ports held for published container ports, as docker-proxy holds them: the agent binds
// each one, so a port a host process already uses is refused ("port is already allocated") and
// no host process can take a published port later. Traffic never reaches these sockets: the
// DNAT rules send it to the container first.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import type { PortBinding } from './config.ts';

const key = (b: PortBinding) => `${b.protocol}/${b.hostIp || '0.0.0.0'}/${b.hostPort}`;

export class PortReservations {
  readonly #held = new Map<string, { binding: PortBinding; socket: Server | UdpSocket }>();

  /** Holds the binding's host port (a free one when hostPort is 0) and returns the binding as held. */
  async reserve(b: PortBinding): Promise<PortBinding> {
    if (b.hostPort !== 0) {
      await this.#hold(b);
      return { ...b };
    }
    const [low, high] = ephemeralRange();
    const span = high - low + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < Math.min(span, 200); i++) {
      const candidate = { ...b, hostPort: low + ((start + i) % span) };
      try {
        await this.#hold(candidate);
        return candidate;
      } catch {
        // taken: try the next one
      }
    }
    throw new Error(`no free host port for ${b.containerPort}/${b.protocol} in ${low}-${high}`);
  }

  async #hold(b: PortBinding): Promise<void> {
    const addr = b.hostIp || '0.0.0.0';
    for (const h of this.#held.values()) {
      const o = h.binding;
      if (o.protocol === b.protocol && o.hostPort === b.hostPort && (!o.hostIp || !b.hostIp || o.hostIp === b.hostIp)) {
        throw new Error(`Bind for ${addr}:${b.hostPort} failed: port is already allocated`);
      }
    }
    const socket = b.protocol === 'udp' ? await bindUdp(addr, b.hostPort) : await listenTcp(addr, b.hostPort);
    this.#held.set(key(b), { binding: { ...b }, socket });
  }

  async release(b: PortBinding): Promise<void> {
    const h = this.#held.get(key(b));
    if (!h) return;
    this.#held.delete(key(b));
    await closeSocket(h.socket);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#held.values()];
    this.#held.clear();
    await Promise.allSettled(all.map((h) => closeSocket(h.socket)));
  }
}

function listenTcp(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Anything that does get through (no rule yet) is closed at once.
    const server = createServer((s) => s.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, host, port, 'tcp')));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, host, port, 'udp')));
    socket.bind({ address: host, port, exclusive: true }, () => resolve(socket));
  });
}

function bindError(err: NodeJS.ErrnoException, host: string, port: number, proto: string): Error {
  if (err.code === 'EADDRINUSE') return new Error(`Bind for ${host}:${port} failed: port is already allocated (${proto} port ${port} is in use on the host)`);
  if (err.code === 'EADDRNOTAVAIL') return new Error(`cannot publish on ${host}:${port}: ${host} is not an address of this host`);
  if (err.code === 'EACCES') return new Error(`cannot publish on ${host}:${port}: permission denied`);
  return new Error(`cannot publish on ${host}:${port}/${proto}: ${err.message}`);
}

function closeSocket(s: Server | UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    if ('listen' in s) s.close(() => resolve());
    else s.close(() => resolve());
  });
}

function ephemeralRange(): [number, number] {
  try {
    const [a, b] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (a && b && a <= b) return [a, b];
  } catch {
    // not Linux or no procfs: Linux's default
  }
  return [32768, 60999];
}
