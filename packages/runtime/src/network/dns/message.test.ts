import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DnsFormatError } from './errors.ts';
import {
  LOCAL_TTL,
  RCODE,
  TYPE,
  buildAnswer,
  buildEmptyAnswer,
  buildErrorReply,
  buildHeaderError,
  buildQuery,
  encodeName,
  isAuthoritative,
  isResponse,
  isTruncated,
  parseHeader,
  parseMessage,
  parseQuery,
  parseReverseName,
  rcodeOf,
  readName,
  withId,
} from './message.ts';

/** A header with the given id, flags and counts, then the given bytes. */
function packet(counts: { qd?: number; an?: number; ar?: number }, ...body: number[]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xbeef, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(counts.qd ?? 1, 4);
  h.writeUInt16BE(counts.an ?? 0, 6);
  h.writeUInt16BE(counts.ar ?? 0, 10);
  return Buffer.concat([h, Buffer.from(body)]);
}

function formatErrorCode(buf: Buffer): string {
  try {
    parseQuery(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(DnsFormatError);
    return (err as DnsFormatError).code;
  }
  throw new Error('parsed a malformed packet');
}

describe('queries', () => {
  it('round-trips id, RD, name, type and class; names are lower case without the trailing dot', () => {
    const q = parseQuery(buildQuery({ id: 4242, name: 'Web.MyStack.', type: TYPE.A }));
    expect(q).toMatchObject({ id: 4242, opcode: 0, recursionDesired: true, ednsUdpSize: null });
    expect(q.question).toMatchObject({ name: 'web.mystack', type: TYPE.A, qclass: 1 });
    expect(parseQuery(buildQuery({ id: 1, name: 'x', type: TYPE.AAAA, recursionDesired: false })).recursionDesired).toBe(false);
  });

  it('keeps the question as sent for the echo (0x20 case randomisation)', () => {
    const q = parseQuery(buildQuery({ id: 1, name: 'wEb.Db', type: TYPE.A }));
    expect(q.question.wire.toString('latin1')).toContain('wEb');
    const reply = buildAnswer(q, [{ type: 'A', address: '10.0.0.2' }]);
    expect(reply.toString('latin1')).toContain('wEb');
  });

  it('tolerates an EDNS OPT record and reads its payload size', () => {
    expect(parseQuery(buildQuery({ id: 7, name: 'db', type: TYPE.A, ednsUdpSize: 1232 })).ednsUdpSize).toBe(1232);
    expect(parseQuery(buildQuery({ id: 7, name: 'db', type: TYPE.A, ednsUdpSize: 100 })).ednsUdpSize).toBe(512);
  });

  it('follows compression pointers backwards', () => {
    // question "a.example", then an answer whose owner is "b" + pointer to "example" (offset 14)
    const buf = packet({ qd: 1, an: 1 }, 1, 0x61, 7, ...Buffer.from('example'), 0, 0, 1, 0, 1, 1, 0x62, 0xc0, 14, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 9);
    const msg = parseMessage(buf);
    expect(msg.answers[0]).toMatchObject({ name: 'b.example', type: TYPE.A, ttl: 60, value: '10.0.0.9' });
  });

  it('escapes bytes that are not hostname characters so they never match a local name', () => {
    const buf = packet({}, 3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1);
    expect(parseQuery(buf).question.name).toBe('a\\046b');
  });
});

describe('malformed packets are refused with a typed error', () => {
  it('truncated header, name, question', () => {
    expect(() => parseHeader(Buffer.alloc(5))).toThrow(DnsFormatError);
    expect(formatErrorCode(packet({}, 3, 0x61))).toBe('TRUNCATED');
    expect(formatErrorCode(packet({}, 1, 0x61, 0, 0))).toBe('TRUNCATED');
    expect(formatErrorCode(packet({}))).toBe('TRUNCATED');
  });

  it('a label longer than 63 octets', () => {
    expect(formatErrorCode(packet({}, 64, ...Buffer.alloc(64, 0x61), 0, 0, 1, 0, 1))).toBe('BAD_LABEL');
    expect(() => encodeName(`${'a'.repeat(64)}.com`)).toThrow(DnsFormatError);
  });

  it('a name longer than 255 octets', () => {
    const labels = Array.from({ length: 5 }, () => [63, ...Buffer.alloc(63, 0x61)]).flat();
    expect(formatErrorCode(packet({}, ...labels, 0, 0, 1, 0, 1))).toBe('NAME_TOO_LONG');
    expect(() => encodeName(Array.from({ length: 5 }, () => 'a'.repeat(63)).join('.'))).toThrow(/longer than 255/);
  });

  it('pointer loops and forward pointers', () => {
    expect(formatErrorCode(packet({}, 0xc0, 12, 0, 1, 0, 1))).toBe('BAD_POINTER'); // to itself
    expect(formatErrorCode(packet({}, 1, 0x61, 0xc0, 12, 0, 1, 0, 1))).toBe('BAD_POINTER'); // back to its own start
    expect(formatErrorCode(packet({}, 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0))).toBe('BAD_POINTER'); // forwards
    expect(formatErrorCode(packet({}, 0xc0))).toBe('TRUNCATED');
  });

  it('question count other than one, bad records after the question', () => {
    expect(formatErrorCode(packet({ qd: 0 }))).toBe('QUESTION_COUNT');
    const q = [1, 0x61, 0, 0, 1, 0, 1];
    expect(formatErrorCode(packet({ qd: 2 }, ...q, ...q))).toBe('QUESTION_COUNT');
    expect(formatErrorCode(packet({ ar: 1 }, ...q, 0, 0, 41))).toBe('TRUNCATED');
    expect(formatErrorCode(packet({ ar: 1 }, ...q, 0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 9))).toBe('TRUNCATED');
  });

  it('random and mutated input only ever yields a query or a DnsFormatError', () => {
    const valid = buildQuery({ id: 9, name: 'web.stack.example', type: TYPE.A, ednsUdpSize: 1232 });
    const inputs: Buffer[] = [];
    for (let cut = 0; cut < valid.length; cut++) inputs.push(valid.subarray(0, cut));
    for (let i = 0; i < 3000; i++) {
      const m = Buffer.from(valid);
      for (let k = 0; k < 3; k++) m[Math.floor(Math.random() * m.length)] = Math.floor(Math.random() * 256);
      inputs.push(m, randomBytes(Math.floor(Math.random() * 80)));
    }
    for (const input of inputs) {
      try {
        parseQuery(input);
      } catch (err) {
        if (!(err instanceof DnsFormatError)) throw new Error(`non-DNS error on ${input.toString('hex')}: ${String(err)}`);
      }
    }
  });
});

describe('responses', () => {
  const query = parseQuery(buildQuery({ id: 0x1234, name: 'web', type: TYPE.A }));

  it('A answers: reply to the id, authoritative, TTL 600, owner points at the question', () => {
    const reply = buildAnswer(query, [
      { type: 'A', address: '10.88.0.2' },
      { type: 'A', address: '10.88.0.3' },
    ]);
    const msg = parseMessage(reply);
    expect(msg.header.id).toBe(0x1234);
    expect(isResponse(msg.header) && isAuthoritative(msg.header) && !isTruncated(msg.header)).toBe(true);
    expect(rcodeOf(msg.header)).toBe(RCODE.NOERROR);
    expect(msg.questions[0]?.name).toBe('web');
    expect(msg.answers.map((a) => [a.name, a.ttl, a.value])).toEqual([
      ['web', LOCAL_TTL, '10.88.0.2'],
      ['web', LOCAL_TTL, '10.88.0.3'],
    ]);
    expect(() => buildAnswer(query, [{ type: 'A', address: 'fd00::1' }])).toThrow(DnsFormatError);
  });

  it('PTR answers', () => {
    const q = parseQuery(buildQuery({ id: 5, name: '2.0.88.10.in-addr.arpa', type: TYPE.PTR }));
    const msg = parseMessage(buildAnswer(q, [{ type: 'PTR', name: 'web.mystack.' }]));
    expect(msg.answers[0]).toMatchObject({ type: TYPE.PTR, name: '2.0.88.10.in-addr.arpa', value: 'web.mystack' });
  });

  it('leaves out answers beyond maxSize and sets TC', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ type: 'A' as const, address: `10.0.0.${i + 1}` }));
    const reply = buildAnswer(query, many, 512);
    expect(reply.length).toBeLessThanOrEqual(512);
    const msg = parseMessage(reply);
    expect(isTruncated(msg.header)).toBe(true);
    expect(msg.answers.length).toBeGreaterThan(20);
    expect(msg.answers.length).toBeLessThan(40);
  });

  it('empty NOERROR, NXDOMAIN, SERVFAIL, REFUSED echo the question; FORMERR only the header', () => {
    const empty = parseMessage(buildEmptyAnswer(query));
    expect([rcodeOf(empty.header), empty.answers.length, empty.questions.length]).toEqual([RCODE.NOERROR, 0, 1]);
    for (const rcode of [RCODE.NXDOMAIN, RCODE.SERVFAIL, RCODE.REFUSED]) {
      const msg = parseMessage(buildErrorReply(query, rcode));
      expect([msg.header.id, rcodeOf(msg.header), msg.questions[0]?.name]).toEqual([0x1234, rcode, 'web']);
    }
    const formerr = parseMessage(buildHeaderError(parseHeader(packet({ qd: 0 })), RCODE.FORMERR));
    expect([formerr.header.id, rcodeOf(formerr.header), formerr.questions.length, isResponse(formerr.header)]).toEqual([0xbeef, RCODE.FORMERR, 0, true]);
  });

  it('withId swaps the id on a copy', () => {
    const q = buildQuery({ id: 1, name: 'a', type: TYPE.A });
    const swapped = withId(q, 0xabcd);
    expect([q.readUInt16BE(0), swapped.readUInt16BE(0)]).toEqual([1, 0xabcd]);
    expect(swapped.subarray(2)).toEqual(q.subarray(2));
  });
});

describe('names', () => {
  it('reads reverse names of IPv4 addresses only in canonical form', () => {
    expect(parseReverseName('2.0.88.10.in-addr.arpa')).toBe('10.88.0.2');
    expect(parseReverseName('2.0.88.10.IN-ADDR.ARPA.')).toBe('10.88.0.2');
    expect(parseReverseName('0.88.10.in-addr.arpa')).toBeNull();
    expect(parseReverseName('256.0.88.10.in-addr.arpa')).toBeNull();
    expect(parseReverseName('02.0.88.10.in-addr.arpa')).toBeNull();
    expect(parseReverseName('web.mystack')).toBeNull();
  });

  it('encodes the root and strips one trailing dot', () => {
    expect(encodeName('')).toEqual(Buffer.from([0]));
    expect(encodeName('.')).toEqual(Buffer.from([0]));
    expect(encodeName('ab.c.')).toEqual(Buffer.from([2, 0x61, 0x62, 1, 0x63, 0]));
    expect(readName(encodeName('Ab.C'), 0)).toMatchObject({ name: 'ab.c', next: 6 });
    expect(() => encodeName('a..b')).toThrow(DnsFormatError);
  });
});
