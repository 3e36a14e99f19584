// One query to one upstream resolver, over UDP or TCP. Each exchange has its own socket (so a
// fresh source port as well as a fresh id guard against spoofed replies) and its own deadline.
import dgram from 'node:dgram';
import net from 'node:net';
import { DnsUpstreamError, hostPort } from './errors.ts';
import { HEADER_SIZE } from './message.ts';
import { FrameReader, frame } from './tcp-frames.ts';

export interface Upstream {
  host: string;
  port: number;
  /** host:port as written in logs and errors. */
  label: string;
}

/** Reads "ip", "ip:port", "[v6]:port" or a bare IPv6 address; null when it is none of these. */
export function parseUpstream(text: string): Upstream | null {
  let host = text.trim();
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  const v4WithPort = /^([\d.]+):(\d+)$/.exec(host);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (v4WithPort) {
    host = v4WithPort[1] ?? '';
    port = Number(v4WithPort[2]);
  }
  if (net.isIP(host) === 0 || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host, port, label: hostPort(host, port) };
}

type Finish = (err: Error | null, reply?: Buffer) => void;

/**
 * Runs one exchange with a deadline and an abort signal; `start` wires the socket and gets the
 * finish callback plus a cleanup registrar. Finish runs once: later events are ignored.
 */
function exchange(upstream: Upstream, timeoutMs: number, signal: AbortSignal, start: (finish: Finish, onCleanup: (fn: () => void) => void) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    const finish: Finish = (err, reply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const fn of cleanups) {
        try {
          fn();
        } catch {
          // the socket is already gone
        }
      }
      if (err) reject(err);
      else resolve(reply ?? Buffer.alloc(0));
    };
    const onAbort = () => finish(new DnsUpstreamError(upstream.label, 'server closing', { cause: signal.reason }));
    const timer = setTimeout(() => finish(new DnsUpstreamError(upstream.label, `no reply within ${timeoutMs} ms`)), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      start(finish, (fn) => cleanups.push(fn));
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** A reply to our query: long enough, QR set, our id. Anything else is ignored (spoof or stray). */
function isReplyTo(reply: Buffer, id: number): boolean {
  return reply.length >= HEADER_SIZE && reply.readUInt16BE(0) === id && (reply[2]! & 0x80) !== 0;
}

/** Sends the query over UDP from a connected socket (the kernel drops datagrams from other sources). */
export function exchangeUdp(upstream: Upstream, query: Buffer, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  const id = query.readUInt16BE(0);
  return exchange(upstream, timeoutMs, signal, (finish, onCleanup) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    onCleanup(() => socket.close());
    // ECONNREFUSED (ICMP port unreachable) arrives here and moves on to the next upstream at once.
    socket.on('error', (err) => finish(new DnsUpstreamError(upstream.label, err.message, { cause: err })));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port === upstream.port && isReplyTo(msg, id)) finish(null, msg);
    });
    // A failed connect (no route to the upstream) calls back with the error, on a socket that is
    // not connected: sending then would throw outside any handler and end the agent.
    socket.connect(upstream.port, upstream.host, (connectErr?: Error) => {
      if (connectErr) return finish(new DnsUpstreamError(upstream.label, connectErr.message, { cause: connectErr }));
      try {
        socket.send(query, (err) => {
          if (err) finish(new DnsUpstreamError(upstream.label, err.message, { cause: err }));
        });
      } catch (err) {
        finish(new DnsUpstreamError(upstream.label, (err as Error).message, { cause: err }));
      }
    });
  });
}

/** Sends the query over TCP (clients retry truncated answers over TCP; so do we, upstream). */
export function exchangeTcp(upstream: Upstream, query: Buffer, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  const id = query.readUInt16BE(0);
  return exchange(upstream, timeoutMs, signal, (finish, onCleanup) => {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    onCleanup(() => socket.destroy());
    const reader = new FrameReader();
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(frame(query)));
    socket.on('data', (chunk) => {
      for (const reply of reader.push(chunk)) {
        if (isReplyTo(reply, id)) return finish(null, reply);
        return finish(new DnsUpstreamError(upstream.label, 'TCP reply does not answer our query (id or QR mismatch)'));
      }
    });
    socket.on('error', (err) => finish(new DnsUpstreamError(upstream.label, err.message, { cause: err })));
    socket.on('close', () => finish(new DnsUpstreamError(upstream.label, 'closed the TCP connection without a reply')));
  });
}
