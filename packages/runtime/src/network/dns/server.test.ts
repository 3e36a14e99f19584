// The server over real sockets, on 127.0.0.1 only; the upstreams are fake servers on 127.0.0.1.
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsBindError } from './errors.ts';
import type { DnsMessage } from './message.ts';
import { RCODE, TYPE, buildAnswer, buildErrorReply, buildQuery, isTruncated, parseMessage, parseQuery, rcodeOf } from './message.ts';
import type { DnsRecords, DnsServerOptions } from './server.ts';
import { NetworkDnsServer } from './server.ts';
import { FrameReader, frame } from './tcp-frames.ts';

const LOCALHOST = '127.0.0.1';
const TIMEOUT_MS = 200;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Records extends DnsRecords {
  upstreamList: string[];
}

function fakeRecords(): Records {
  const names: Record<string, string[]> = { web: ['10.88.0.2'], 'web.mystack': ['10.88.0.2'], many: Array.from({ length: 40 }, (_, i) => `10.88.1.${i + 1}`) };
  const recs: Records = {
    upstreamList: [],
    lookup: (name) => names[name] ?? null,
    reverse: (ip) => (ip === '10.88.0.2' ? 'web.mystack' : null),
    upstreams: () => recs.upstreamList,
  };
  return recs;
}

async function startServer(extra: Partial<DnsServerOptions> = {}): Promise<{ server: NetworkDnsServer; records: Records; logs: string[] }> {
  const records = fakeRecords();
  const logs: string[] = [];
  const server = new NetworkDnsServer({ address: LOCALHOST, port: 0, records, upstreamTimeoutMs: TIMEOUT_MS, log: (m) => logs.push(m), ...extra });
  await server.start();
  cleanups.push(() => server.close());
  return { server, records, logs };
}

/** Sends one datagram and waits for one reply; null when none comes within waitMs. */
function udpAsk(port: number, packet: Buffer, waitMs = 2000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (reply: Buffer | null) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), waitMs);
    socket.on('message', (msg) => done(msg));
    socket.send(packet, port, LOCALHOST);
  });
}

async function udpQuery(port: number, name: string, type: number = TYPE.A, id = 0x4d2): Promise<DnsMessage> {
  const reply = await udpAsk(port, buildQuery({ id, name, type }));
  if (!reply) throw new Error(`no reply for ${name}`);
  return parseMessage(reply);
}

/** Writes the given frames on one TCP connection and collects `count` replies (or stops at close). */
function tcpAsk(port: number, payloads: Buffer[], count = payloads.length): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: LOCALHOST, port });
    const reader = new FrameReader();
    const replies: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('TCP reply timeout')), 3000);
    socket.on('connect', () => socket.write(Buffer.concat(payloads)));
    socket.on('data', (chunk) => {
      replies.push(...reader.push(chunk));
      if (replies.length >= count) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ replies, closed: false });
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ replies, closed: true });
    });
    socket.on('error', () => {});
  });
}

type Behaviour = 'answer' | 'silent' | 'servfail';

interface FakeUpstream {
  address: string;
  seen: Array<{ transport: 'udp' | 'tcp'; id: number; name: string; rest: Buffer }>;
}

/** A resolver on 127.0.0.1 (UDP and TCP on the same port) answering every A query with 192.0.2.7. */
async function fakeUpstream(behaviour: Behaviour, opts: { spoofFirst?: boolean } = {}): Promise<FakeUpstream> {
  const seen: FakeUpstream['seen'] = [];
  const conns = new Set<net.Socket>();
  const reply = (msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null => {
    const query = parseQuery(msg);
    seen.push({ transport, id: query.id, name: query.question.name, rest: msg.subarray(2) });
    if (behaviour === 'silent') return null;
    if (behaviour === 'servfail') return buildErrorReply(query, RCODE.SERVFAIL);
    return buildAnswer(query, [{ type: 'A', address: '192.0.2.7' }]);
  };
  const { udp, tcp, port } = await bindSamePort((conn) => {
    conns.add(conn);
    const reader = new FrameReader();
    conn.on('data', (chunk) => {
      for (const msg of reader.push(chunk)) {
        const answer = reply(msg, 'tcp');
        if (answer) conn.write(frame(answer));
      }
    });
    conn.on('error', () => {});
  });
  udp.on('message', (msg, rinfo) => {
    const answer = reply(msg, 'udp');
    if (!answer) return;
    if (opts.spoofFirst) {
      const wrong = Buffer.from(answer);
      wrong.writeUInt16BE((answer.readUInt16BE(0) + 1) & 0xffff, 0);
      wrong.writeUInt32BE(0x01010101, wrong.length - 4);
      udp.send(wrong, rinfo.port, rinfo.address);
    }
    udp.send(answer, rinfo.port, rinfo.address);
  });
  cleanups.push(async () => {
    udp.close();
    for (const conn of conns) conn.destroy();
    await new Promise((resolve) => tcp.close(resolve));
  });
  return { address: `${LOCALHOST}:${port}`, seen };
}

/**
 * UDP on a port the kernel picks and TCP on the same number. Another test's socket may hold that
 * number for TCP already (files run in parallel), so pick again when it does.
 */
async function bindSamePort(onConnection: (conn: net.Socket) => void): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, LOCALHOST, resolve));
    const port = udp.address().port;
    const tcp = net.createServer(onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, LOCALHOST, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, tcp, port };
    } catch (err) {
      udp.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 9) throw err;
    }
  }
}

/** A port on 127.0.0.1 with nobody listening: UDP gets port unreachable, TCP a reset. */
async function deadPort(): Promise<string> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, LOCALHOST, resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(resolve));
  return `${LOCALHOST}:${port}`;
}

const values = (msg: DnsMessage) => msg.answers.map((a) => a.value);

describe('NetworkDnsServer: local names', () => {
  it('resolves a local name to its address, case-insensitively, with the client id', async () => {
    const { server } = await startServer();
    const msg = await udpQuery(server.port, 'web', TYPE.A, 777);
    expect([msg.header.id, rcodeOf(msg.header), values(msg)]).toEqual([777, RCODE.NOERROR, ['10.88.0.2']]);
    expect(values(await udpQuery(server.port, 'WEB.MyStack.'))).toEqual(['10.88.0.2']);
    expect(msg.answers[0]?.ttl).toBe(600);
  });

  it('answers AAAA of a local name with an empty NOERROR without asking upstreams', async () => {
    const { server, records } = await startServer();
    const upstream = await fakeUpstream('answer');
    records.upstreamList = [upstream.address];
    const msg = await udpQuery(server.port, 'web', TYPE.AAAA);
    expect([rcodeOf(msg.header), msg.answers.length]).toEqual([RCODE.NOERROR, 0]);
    expect(upstream.seen).toEqual([]);
  });

  it('answers PTR for a local address', async () => {
    const { server } = await startServer();
    const msg = await udpQuery(server.port, '2.0.88.10.in-addr.arpa', TYPE.PTR);
    expect(values(msg)).toEqual(['web.mystack']);
  });

  it('sets TC over UDP when the addresses do not fit 512 bytes, and gives them all over TCP', async () => {
    const { server } = await startServer();
    const udp = await udpAsk(server.port, buildQuery({ id: 1, name: 'many', type: TYPE.A }));
    expect(udp!.length).toBeLessThanOrEqual(512);
    expect(isTruncated(parseMessage(udp!).header)).toBe(true);
    const { replies } = await tcpAsk(server.port, [frame(buildQuery({ id: 2, name: 'many', type: TYPE.A }))]);
    const tcp = parseMessage(replies[0]!);
    expect([isTruncated(tcp.header), tcp.answers.length]).toEqual([false, 40]);
  });
});

describe('NetworkDnsServer: forwarding', () => {
  it("forwards an unknown name with a fresh id and relays the upstream's answer with the client's id", async () => {
    const { server, records } = await startServer();
    const upstream = await fakeUpstream('answer');
    records.upstreamList = [upstream.address];
    const query = buildQuery({ id: 0x1111, name: 'Example.COM', type: TYPE.A });
    const msg = parseMessage((await udpAsk(server.port, query))!);
    expect([msg.header.id, rcodeOf(msg.header), values(msg)]).toEqual([0x1111, RCODE.NOERROR, ['192.0.2.7']]);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.transport).toBe('udp');
    expect(upstream.seen[0]!.rest).toEqual(query.subarray(2)); // the client's bytes, only the id changes
  });

  it('forwards unknown PTR and the AAAA of unknown names', async () => {
    const { server, records } = await startServer();
    const upstream = await fakeUpstream('answer');
    records.upstreamList = [upstream.address];
    await udpQuery(server.port, '9.9.88.10.in-addr.arpa', TYPE.PTR);
    await udpQuery(server.port, 'example.com', TYPE.AAAA);
    expect(upstream.seen.map((s) => s.name)).toEqual(['9.9.88.10.in-addr.arpa', 'example.com']);
  });

  it('ignores a reply with the wrong id and takes the right one', async () => {
    const { server, records } = await startServer();
    records.upstreamList = [(await fakeUpstream('answer', { spoofFirst: true })).address];
    expect(values(await udpQuery(server.port, 'example.com'))).toEqual(['192.0.2.7']);
  });

  it('falls to the next upstream when one is silent, refuses, or says SERVFAIL', async () => {
    const { server, records } = await startServer();
    const silent = await fakeUpstream('silent');
    const servfail = await fakeUpstream('servfail');
    const good = await fakeUpstream('answer');
    records.upstreamList = [await deadPort(), servfail.address, silent.address, good.address];
    const started = Date.now();
    const msg = await udpQuery(server.port, 'example.com');
    const elapsed = Date.now() - started;
    expect(values(msg)).toEqual(['192.0.2.7']);
    expect([servfail.seen.length, silent.seen.length, good.seen.length]).toEqual([1, 1, 1]);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20); // waited for the silent one once
    expect(elapsed).toBeLessThan(TIMEOUT_MS * 2);
  });

  it('answers SERVFAIL when every upstream is dead, within one timeout per upstream', async () => {
    const { server, records, logs } = await startServer();
    records.upstreamList = [(await fakeUpstream('silent')).address, await deadPort()];
    const started = Date.now();
    const msg = await udpQuery(server.port, 'example.com', TYPE.A, 99);
    expect([msg.header.id, rcodeOf(msg.header)]).toEqual([99, RCODE.SERVFAIL]);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 100);
    expect(logs.join('\n')).toMatch(/no reply within 200 ms/);
  });

  it('answers SERVFAIL for non-local names without upstreams, and never forwards to itself', async () => {
    const { server, records, logs } = await startServer();
    expect(rcodeOf((await udpQuery(server.port, 'example.com')).header)).toBe(RCODE.SERVFAIL);
    records.upstreamList = [`${LOCALHOST}:${server.port}`, 'not-an-ip'];
    expect(rcodeOf((await udpQuery(server.port, 'example.com')).header)).toBe(RCODE.SERVFAIL);
    expect(logs.join('\n')).toMatch(/that is this server/);
    expect(logs.join('\n')).toMatch(/"not-an-ip"/);
  });

  it('forwards over TCP when the client asks over TCP; pipelined queries on one connection', async () => {
    const { server, records } = await startServer();
    const upstream = await fakeUpstream('answer');
    records.upstreamList = [upstream.address];
    const { replies } = await tcpAsk(server.port, [frame(buildQuery({ id: 10, name: 'example.com', type: TYPE.A })), frame(buildQuery({ id: 11, name: 'web', type: TYPE.A }))]);
    const byId = new Map(replies.map((r) => [r.readUInt16BE(0), parseMessage(r)]));
    expect(values(byId.get(10)!)).toEqual(['192.0.2.7']);
    expect(values(byId.get(11)!)).toEqual(['10.88.0.2']);
    expect(upstream.seen.map((s) => s.transport)).toEqual(['tcp']);
  });

  it('drops queries beyond the in-flight bound and keeps answering local names', async () => {
    const { server, records, logs } = await startServer({ maxInFlight: 1 });
    records.upstreamList = [(await fakeUpstream('silent')).address];
    const first = udpAsk(server.port, buildQuery({ id: 1, name: 'a.example', type: TYPE.A }));
    await new Promise((r) => setTimeout(r, 30));
    const second = udpAsk(server.port, buildQuery({ id: 2, name: 'b.example', type: TYPE.A }), TIMEOUT_MS * 2);
    expect(values(await udpQuery(server.port, 'web'))).toEqual(['10.88.0.2']);
    expect(rcodeOf(parseMessage((await first)!).header)).toBe(RCODE.SERVFAIL);
    expect(await second).toBeNull();
    expect(logs.join('\n')).toMatch(/dropping/);
  });

  it('close() abandons queries waiting on upstreams at once', async () => {
    const records = fakeRecords();
    records.upstreamList = [(await fakeUpstream('silent')).address];
    const server = new NetworkDnsServer({ address: LOCALHOST, port: 0, records, upstreamTimeoutMs: 5000 });
    await server.start();
    const pending = udpAsk(server.port, buildQuery({ id: 1, name: 'a.example', type: TYPE.A }), 300);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pending).toBeNull();
  });
});

describe('NetworkDnsServer: bad input', () => {
  it('answers FORMERR to a malformed query, drops junk and answers, and keeps serving others', async () => {
    const { server, logs } = await startServer();
    // header (id 0x0a0b, RD, one question) then a label length byte of 64
    const badLabel = Buffer.from([0x0a, 0x0b, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, 0x61, 0, 0, 1, 0, 1]);
    const formerr = parseMessage((await udpAsk(server.port, badLabel))!);
    expect([formerr.header.id, rcodeOf(formerr.header)]).toEqual([0x0a0b, RCODE.FORMERR]);
    const loop = Buffer.from([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(rcodeOf(parseMessage((await udpAsk(server.port, loop))!).header)).toBe(RCODE.FORMERR);
    expect(await udpAsk(server.port, Buffer.from([1, 2, 3]), 150)).toBeNull();
    const answer = Buffer.from(buildAnswer(parseQuery(buildQuery({ id: 3, name: 'web', type: TYPE.A })), []));
    expect(await udpAsk(server.port, answer, 150)).toBeNull(); // a response is never answered
    const status = buildQuery({ id: 4, name: 'web', type: TYPE.A });
    status.writeUInt16BE(2 << 11, 2); // opcode STATUS
    expect(rcodeOf(parseMessage((await udpAsk(server.port, status))!).header)).toBe(RCODE.NOTIMP);
    expect(values(await udpQuery(server.port, 'web'))).toEqual(['10.88.0.2']);
    expect(logs.join('\n')).toMatch(/malformed query from 127\.0\.0\.1\/udp/);
  });

  it('answers nobody but the clients it serves (not an open resolver for whoever routes to it)', async () => {
    const { server, records } = await startServer();
    records.serves = (ip) => ip !== LOCALHOST;
    expect(await udpAsk(server.port, buildQuery({ id: 9, name: 'web', type: TYPE.A }), 300)).toBeNull();
    records.serves = (ip) => ip === LOCALHOST;
    expect(values(await udpQuery(server.port, 'web'))).toEqual(['10.88.0.2']);
  });

  it('answers SERVFAIL when the records throw, and keeps serving', async () => {
    const { server, records, logs } = await startServer();
    const lookup = records.lookup;
    records.lookup = (name, ip) => {
      if (name === 'boom') throw new Error('store unavailable');
      return lookup(name, ip);
    };
    expect(rcodeOf((await udpQuery(server.port, 'boom')).header)).toBe(RCODE.SERVFAIL);
    expect(values(await udpQuery(server.port, 'web'))).toEqual(['10.88.0.2']);
    expect(logs.join('\n')).toMatch(/store unavailable/);
  });

  it('over TCP: FORMERR for a malformed frame, a frame too short for a header closes the connection', async () => {
    const { server } = await startServer();
    const badLabel = Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64, 0x61]);
    const { replies } = await tcpAsk(server.port, [frame(badLabel)]);
    expect(rcodeOf(parseMessage(replies[0]!).header)).toBe(RCODE.FORMERR);
    const short = await tcpAsk(server.port, [frame(Buffer.from([1, 2, 3]))], 1);
    expect(short).toEqual({ replies: [], closed: true });
    expect(values(await udpQuery(server.port, 'web'))).toEqual(['10.88.0.2']);
  });
});

describe('NetworkDnsServer: lifecycle', () => {
  it('rejects with an error naming address:port when the port is taken', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, LOCALHOST, resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = taken.address().port;
    const server = new NetworkDnsServer({ address: LOCALHOST, port, records: fakeRecords() });
    const err = await server.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DnsBindError);
    expect((err as Error).message).toContain(`127.0.0.1:${port}/udp (EADDRINUSE)`);
  });

  it('says what to do for an address no interface has', () => {
    const cause = Object.assign(new Error('bind EADDRNOTAVAIL 10.88.0.1:53'), { code: 'EADDRNOTAVAIL' });
    const err = new DnsBindError('10.88.0.1', 53, 'udp', cause);
    expect(err.message).toBe('cannot listen for DNS on 10.88.0.1:53/udp (EADDRNOTAVAIL): no interface has this address; create the network bridge and assign its gateway address before starting its DNS server');
    expect(new DnsBindError('fd00::1', 53, 'tcp', new Error('odd')).message).toBe('cannot listen for DNS on [fd00::1]:53/tcp: odd');
  });

  it('binds UDP and TCP on the same port and closes both', async () => {
    const { server } = await startServer();
    const port = server.port;
    expect(port).toBeGreaterThan(0);
    await server.close();
    expect(await udpAsk(port, buildQuery({ id: 1, name: 'web', type: TYPE.A }), 150)).toBeNull();
    await expect(new Promise((resolve, reject) => net.connect({ host: LOCALHOST, port }).on('connect', resolve).on('error', reject))).rejects.toThrow(/ECONNREFUSED/);
  });
});
