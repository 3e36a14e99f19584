// The embedded DNS server of one container network, like Docker's 127.0.0.11 but on the
// network's gateway address: local names are answered from the agent's records, the rest is
// forwarded to the client's upstream resolvers. One client's bad packet or a dead upstream
// never affects other clients: every packet is handled in its own try/catch.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { DnsBindError, DnsFormatError, hostPort } from './errors.ts';
import type { DnsRecords } from './local.ts';
import { answerLocally } from './local.ts';
import type { DnsQuery } from './message.ts';
import { HEADER_SIZE, MAX_UDP_SIZE, OPCODE_QUERY, RCODE, buildErrorReply, buildHeaderError, isResponse, opcodeOf, parseHeader, parseQuery, withId } from './message.ts';
import { FrameReader, frame } from './tcp-frames.ts';
import type { Upstream } from './upstream.ts';
import { exchangeTcp, exchangeUdp, parseUpstream } from './upstream.ts';

export type { DnsRecords } from './local.ts';

export interface DnsServerOptions {
  address: string;
  /** Default 53; 0 picks a free port (tests). */
  port?: number;
  records: DnsRecords;
  /** How long each upstream gets before the next one is tried (default 2000). */
  upstreamTimeoutMs?: number;
  /** Forwarded queries waiting on upstreams at once; beyond this new ones are dropped (default 1024). */
  maxInFlight?: number;
  log?: (msg: string) => void;
}

type Transport = 'udp' | 'tcp';

/** RCODEs after which the next upstream is asked, as glibc's resolver does. */
const TRY_NEXT = new Set<number>([RCODE.SERVFAIL, RCODE.NOTIMP, RCODE.REFUSED]);
/** An idle TCP client is dropped after this (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 256;

export class NetworkDnsServer {
  readonly #options: DnsServerOptions;
  readonly #log: (msg: string) => void;
  readonly #abort = new AbortController();
  readonly #connections = new Set<net.Socket>();
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  #port = 0;
  #inFlight = 0;
  #droppingLogged = false;

  constructor(options: DnsServerOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
  }

  /** The bound port (the real one when started with port 0). */
  get port(): number {
    return this.#port;
  }

  /** Binds UDP and TCP on address:port; rejects with DnsBindError naming them when it cannot. */
  async start(): Promise<void> {
    if (this.#udp) throw new Error(`DNS server on ${hostPort(this.#options.address, this.#port)} is already started`);
    const wanted = this.#options.port ?? 53;
    // With port 0 the kernel picks the UDP port; TCP then needs the same number, which may be
    // taken: pick again a few times.
    for (let attempt = 0; ; attempt++) {
      const udp = await this.#bindUdp(wanted);
      const port = udp.address().port;
      try {
        this.#tcp = await this.#listenTcp(port);
        this.#udp = udp;
        this.#port = port;
        return;
      } catch (err) {
        udp.close();
        const inUse = err instanceof DnsBindError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
        if (wanted !== 0 || !inUse || attempt >= 4) throw err;
      }
    }
  }

  /** Closes the sockets and abandons queries waiting on upstreams. */
  async close(): Promise<void> {
    this.#abort.abort();
    for (const conn of this.#connections) conn.destroy();
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    await Promise.all([
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  #bindUdp(port: number): Promise<dgram.Socket> {
    const { address } = this.#options;
    return new Promise((resolve, reject) => {
      const udp = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
      udp.once('error', (err) => {
        safeClose(udp);
        reject(new DnsBindError(address, port, 'udp', err));
      });
      udp.bind({ address, port, exclusive: true }, () => {
        udp.removeAllListeners('error');
        // After binding, errors (e.g. a send to a client that went away) are logged, never fatal.
        udp.on('error', (e) => this.#log(`dns ${hostPort(address, this.#port)}/udp: ${e.message}`));
        udp.on('message', (msg, rinfo) => this.#onDatagram(udp, msg, rinfo));
        resolve(udp);
      });
    });
  }

  #listenTcp(port: number): Promise<net.Server> {
    const { address } = this.#options;
    return new Promise((resolve, reject) => {
      const server = net.createServer((conn) => this.#onConnection(conn));
      server.maxConnections = MAX_TCP_CONNECTIONS;
      server.once('error', (err) => reject(new DnsBindError(address, port, 'tcp', err)));
      server.listen({ host: address, port, exclusive: true }, () => {
        server.removeAllListeners('error');
        server.on('error', (e) => this.#log(`dns ${hostPort(address, port)}/tcp: ${e.message}`));
        resolve(server);
      });
    });
  }

  #onDatagram(udp: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.#handle(msg, rinfo.address, 'udp')
      .then((reply) => {
        if (reply && this.#udp === udp) udp.send(reply, rinfo.port, rinfo.address, (err) => err && this.#log(`dns reply to ${hostPort(rinfo.address, rinfo.port)}: ${err.message}`));
      })
      .catch((err: unknown) => this.#log(`dns reply to ${hostPort(rinfo.address, rinfo.port)}: ${String(err)}`));
  }

  #onConnection(conn: net.Socket): void {
    this.#connections.add(conn);
    const reader = new FrameReader();
    const client = clientAddress(conn.remoteAddress);
    conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
    conn.on('close', () => this.#connections.delete(conn));
    conn.on('error', () => conn.destroy()); // a reset by the client concerns only this connection
    conn.on('data', (chunk) => {
      for (const msg of reader.push(chunk)) {
        this.#handle(msg, client, 'tcp')
          .then((reply) => {
            if (reply && !conn.destroyed) conn.write(frame(reply));
            // Nothing DNS-shaped to answer: this stream cannot be trusted to stay in sync.
            if (!reply && msg.length < HEADER_SIZE) conn.destroy();
          })
          .catch(() => conn.destroy());
      }
    });
  }

  /** Answers one packet; null means no reply. Never rejects. */
  async #handle(packet: Buffer, clientIp: string, transport: Transport): Promise<Buffer | null> {
    let query: DnsQuery | undefined;
    try {
      if (packet.length < HEADER_SIZE) return null; // not DNS; answering it would only help reflection
      if (this.#options.records.serves && !this.#options.records.serves(clientIp)) return null; // not one of ours: no answer at all
      const header = parseHeader(packet);
      if (isResponse(header)) return null; // never answer answers: that is how two servers loop
      if (opcodeOf(header) !== OPCODE_QUERY) return buildHeaderError(header, RCODE.NOTIMP);
      try {
        query = parseQuery(packet);
      } catch (err) {
        if (!(err instanceof DnsFormatError)) throw err;
        this.#log(`dns: malformed query from ${clientIp}/${transport}: ${err.message}`);
        return buildHeaderError(header, RCODE.FORMERR);
      }
      const local = answerLocally(query, this.#options.records, clientIp, transport === 'udp' ? MAX_UDP_SIZE : 0xffff);
      if (local) return local;
      return await this.#forward(packet, query, clientIp, transport);
    } catch (err) {
      this.#log(`dns: query from ${clientIp}/${transport} failed: ${err instanceof Error ? err.message : String(err)}`);
      return query ? safeReply(() => buildErrorReply(query!, RCODE.SERVFAIL)) : null;
    }
  }

  /**
   * Sends the client's bytes (with a fresh random id) to each upstream in turn and relays the
   * first good reply with the client's id restored. SERVFAIL when nobody answers in time.
   */
  async #forward(packet: Buffer, query: DnsQuery, clientIp: string, transport: Transport): Promise<Buffer | null> {
    const upstreams = this.#upstreams(clientIp);
    if (upstreams.length === 0) return buildErrorReply(query, RCODE.SERVFAIL);
    const maxInFlight = this.#options.maxInFlight ?? 1024;
    if (this.#inFlight >= maxInFlight) {
      if (!this.#droppingLogged) this.#log(`dns: ${maxInFlight} queries already wait on upstreams; dropping new ones`);
      this.#droppingLogged = true;
      return null;
    }
    this.#inFlight++;
    try {
      const timeoutMs = this.#options.upstreamTimeoutMs ?? 2000;
      const exchange = transport === 'udp' ? exchangeUdp : exchangeTcp;
      let refused: Buffer | null = null;
      for (const upstream of upstreams) {
        let reply: Buffer;
        try {
          reply = await exchange(upstream, withId(packet, randomInt(0, 0x10000)), timeoutMs, this.#abort.signal);
        } catch (err) {
          if (this.#abort.signal.aborted) return null;
          this.#log(`dns: ${query.question.name} from ${clientIp}: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
        reply = withId(reply, query.id);
        if (!TRY_NEXT.has(reply[3]! & 0xf)) return reply;
        refused = reply;
      }
      // Every upstream failed: relay the last one's own error if one answered, else SERVFAIL.
      return refused ?? buildErrorReply(query, RCODE.SERVFAIL);
    } finally {
      this.#inFlight--;
      if (this.#inFlight < maxInFlight) this.#droppingLogged = false;
    }
  }

  /** The client's upstreams, minus unparseable ones and this server itself (a forwarding loop). */
  #upstreams(clientIp: string): Upstream[] {
    const result: Upstream[] = [];
    for (const text of this.#options.records.upstreams(clientIp)) {
      const upstream = parseUpstream(text);
      if (!upstream) this.#log(`dns: ignoring upstream ${JSON.stringify(text)}: not an IP address with an optional port`);
      else if (upstream.host === this.#options.address && upstream.port === this.#port) this.#log(`dns: ignoring upstream ${upstream.label}: that is this server`);
      else result.push(upstream);
    }
    return result;
  }
}

/** Clients over TCP on a dual-stack socket show as ::ffff:a.b.c.d; records know them as a.b.c.d. */
function clientAddress(remote: string | undefined): string {
  if (!remote) return '';
  return remote.startsWith('::ffff:') && net.isIPv4(remote.slice(7)) ? remote.slice(7) : remote;
}

function safeClose(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // never bound, nothing to close
  }
}

function safeReply(build: () => Buffer): Buffer | null {
  try {
    return build();
  } catch {
    return null;
  }
}
