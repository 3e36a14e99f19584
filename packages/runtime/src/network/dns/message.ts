// DNS wire format (RFC 1035), only what the embedded server needs: read a query, read records
// (EDNS OPT is recognised and otherwise ignored), and build the few answers the server gives.
// Every read is bounds-checked and throws DnsFormatError; nothing here can loop on hostile input.
import { isIPv4 } from 'node:net';
import { DnsFormatError } from './errors.ts';

export const TYPE = { A: 1, PTR: 12, AAAA: 28, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const OPCODE_QUERY = 0;
export const HEADER_SIZE = 12;
/** The UDP payload limit without EDNS (RFC 1035 §4.2.1). */
export const MAX_UDP_SIZE = 512;
/** TTL of local answers: Docker's embedded DNS uses 600 s too. */
export const LOCAL_TTL = 600;

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const MAX_NAME_WIRE = 255;
/** Pointer to the question name, which always starts right after the header. */
const POINTER_TO_QUESTION = 0xc000 | HEADER_SIZE;

export interface DnsHeader {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuestion {
  /** Lower case, no trailing dot; bytes that are not plain hostname characters are written \DDD. */
  name: string;
  type: number;
  qclass: number;
  /** The question as sent (case kept: resolvers using 0x20 randomisation check the echo), uncompressed. */
  wire: Buffer;
}

export interface DnsRecord {
  name: string;
  type: number;
  rclass: number;
  ttl: number;
  rdata: Buffer;
  /** The IPv4 address of an A record, the target name of a PTR record. */
  value?: string;
}

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
}

export interface DnsQuery {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  question: DnsQuestion;
  /** UDP payload size the client advertised in an EDNS OPT record, null without EDNS. */
  ednsUdpSize: number | null;
}

export const isResponse = (h: DnsHeader): boolean => (h.flags & FLAG_QR) !== 0;
export const opcodeOf = (h: DnsHeader): number => (h.flags >> 11) & 0xf;
export const rcodeOf = (h: DnsHeader): number => h.flags & 0xf;
export const isTruncated = (h: DnsHeader): boolean => (h.flags & FLAG_TC) !== 0;
export const isAuthoritative = (h: DnsHeader): boolean => (h.flags & FLAG_AA) !== 0;

function truncated(what: string, offset: number): DnsFormatError {
  return new DnsFormatError('TRUNCATED', `packet ends inside ${what} at byte ${offset}`, offset);
}

export function parseHeader(buf: Buffer): DnsHeader {
  if (buf.length < HEADER_SIZE) throw truncated('the header', buf.length);
  return {
    id: buf.readUInt16BE(0),
    flags: buf.readUInt16BE(2),
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

/** Writes one label for humans and for lookups: lower case, odd bytes escaped so they never match a local name. */
function labelText(label: Buffer): string {
  let s = '';
  for (const b of label) {
    if (b >= 0x41 && b <= 0x5a) s += String.fromCharCode(b + 0x20);
    else if (b <= 0x20 || b >= 0x7f || b === 0x2e || b === 0x5c) s += `\\${b.toString().padStart(3, '0')}`;
    else s += String.fromCharCode(b);
  }
  return s;
}

/**
 * Reads a possibly compressed name at offset. A pointer must point before the start of the
 * segment it was reached from, so the walk strictly moves backwards and always ends.
 */
export function readName(buf: Buffer, offset: number): { name: string; labels: Buffer[]; next: number } {
  const labels: Buffer[] = [];
  let pos = offset;
  let segmentStart = offset;
  let next = -1;
  let wireLength = 1; // the root label
  for (;;) {
    const len = buf[pos];
    if (len === undefined) throw truncated('a name', pos);
    if ((len & 0xc0) === 0xc0) {
      const low = buf[pos + 1];
      if (low === undefined) throw truncated('a compression pointer', pos);
      const target = ((len & 0x3f) << 8) | low;
      if (target >= segmentStart) throw new DnsFormatError('BAD_POINTER', `compression pointer at byte ${pos} to ${target} does not point backwards`, pos);
      if (next < 0) next = pos + 2;
      pos = segmentStart = target;
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError('BAD_LABEL', `label length byte 0x${len.toString(16)} at byte ${pos}: a label is at most 63 octets`, pos);
    if (len === 0) break;
    if (pos + 1 + len > buf.length) throw truncated('a label', pos);
    wireLength += len + 1;
    if (wireLength > MAX_NAME_WIRE) throw new DnsFormatError('NAME_TOO_LONG', `name at byte ${offset} is longer than ${MAX_NAME_WIRE} octets`, offset);
    labels.push(buf.subarray(pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.map(labelText).join('.'), labels, next: next < 0 ? pos + 1 : next };
}

/** Encodes a dotted name (trailing dot optional) uncompressed. */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length === 0 || bytes.length > 63) throw new DnsFormatError('BAD_LABEL', `label ${JSON.stringify(label)} in ${JSON.stringify(name)} must be 1 to 63 octets`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > MAX_NAME_WIRE) throw new DnsFormatError('NAME_TOO_LONG', `name ${JSON.stringify(name.slice(0, 40))}… is longer than ${MAX_NAME_WIRE} octets`);
  return wire;
}

function readQuestion(buf: Buffer, offset: number): { question: DnsQuestion; next: number } {
  const { name, labels, next } = readName(buf, offset);
  if (next + 4 > buf.length) throw truncated('a question', next);
  const type = buf.readUInt16BE(next);
  const qclass = buf.readUInt16BE(next + 2);
  const nameWire = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
  const wire = Buffer.concat([nameWire, buf.subarray(next, next + 4)]);
  return { question: { name, type, qclass, wire }, next: next + 4 };
}

function readRecord(buf: Buffer, offset: number): { record: DnsRecord; next: number } {
  const { name, next: afterName } = readName(buf, offset);
  if (afterName + 10 > buf.length) throw truncated('a record header', afterName);
  const type = buf.readUInt16BE(afterName);
  const rclass = buf.readUInt16BE(afterName + 2);
  const ttl = buf.readUInt32BE(afterName + 4);
  const rdlength = buf.readUInt16BE(afterName + 8);
  const start = afterName + 10;
  if (start + rdlength > buf.length) throw truncated('record data', start);
  const rdata = buf.subarray(start, start + rdlength);
  const record: DnsRecord = { name, type, rclass, ttl, rdata };
  if (type === TYPE.A && rdlength === 4) record.value = [...rdata].join('.');
  if (type === TYPE.PTR) {
    const target = readName(buf, start);
    if (target.next > start + rdlength) throw truncated('a PTR record', start);
    record.value = target.name;
  }
  return { record, next: start + rdlength };
}

/** Parses a whole message: header, questions and the three record sections. Trailing bytes are ignored. */
export function parseMessage(buf: Buffer): DnsMessage {
  const header = parseHeader(buf);
  let pos = HEADER_SIZE;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < header.qdcount; i++) {
    const r = readQuestion(buf, pos);
    questions.push(r.question);
    pos = r.next;
  }
  const section = (count: number): DnsRecord[] => {
    const records: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const r = readRecord(buf, pos);
      records.push(r.record);
      pos = r.next;
    }
    return records;
  };
  const answers = section(header.ancount);
  const authority = section(header.nscount);
  const additional = section(header.arcount);
  return { header, questions, answers, authority, additional };
}

/** Parses a query: exactly one question; an OPT record only contributes its UDP payload size. */
export function parseQuery(buf: Buffer): DnsQuery {
  const msg = parseMessage(buf);
  const question = msg.questions[0];
  if (msg.header.qdcount !== 1 || !question) {
    throw new DnsFormatError('QUESTION_COUNT', `a query must have exactly one question, this one has ${msg.header.qdcount}`);
  }
  const opt = msg.additional.find((r) => r.type === TYPE.OPT);
  return {
    id: msg.header.id,
    opcode: opcodeOf(msg.header),
    recursionDesired: (msg.header.flags & FLAG_RD) !== 0,
    question,
    ednsUdpSize: opt ? Math.max(MAX_UDP_SIZE, opt.rclass) : null,
  };
}

export interface QueryInit {
  id: number;
  name: string;
  type: number;
  qclass?: number;
  recursionDesired?: boolean;
  /** Adds an EDNS OPT record advertising this UDP payload size. */
  ednsUdpSize?: number;
}

/** Builds a query (tests, health checks). */
export function buildQuery(init: QueryInit): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt16BE(init.id & 0xffff, 0);
  header.writeUInt16BE(init.recursionDesired === false ? 0 : FLAG_RD, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(init.ednsUdpSize === undefined ? 0 : 1, 10);
  const question = Buffer.alloc(4);
  question.writeUInt16BE(init.type, 0);
  question.writeUInt16BE(init.qclass ?? CLASS_IN, 2);
  const parts = [header, encodeName(init.name), question];
  if (init.ednsUdpSize !== undefined) {
    const opt = Buffer.alloc(11); // root name, type, class = payload size, ttl = 0, rdlength = 0
    opt.writeUInt16BE(TYPE.OPT, 1);
    opt.writeUInt16BE(init.ednsUdpSize, 3);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

export type DnsAnswer = { type: 'A'; address: string } | { type: 'PTR'; name: string };

function encodeAnswer(answer: DnsAnswer): Buffer {
  let rdata: Buffer;
  if (answer.type === 'A') {
    if (!isIPv4(answer.address)) throw new DnsFormatError('BAD_RDATA', `A answer ${JSON.stringify(answer.address)} is not an IPv4 address`);
    rdata = Buffer.from(answer.address.split('.').map(Number));
  } else {
    rdata = encodeName(answer.name);
  }
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(POINTER_TO_QUESTION, 0); // owner = the question's name, in the client's case
  rr.writeUInt16BE(answer.type === 'A' ? TYPE.A : TYPE.PTR, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(LOCAL_TTL, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}

function responseHeader(id: number, opcode: number, rd: boolean, rcode: number, extra: number, qdcount: number, ancount: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(FLAG_QR | (opcode << 11) | extra | (rd ? FLAG_RD : 0) | FLAG_RA | rcode, 2);
  h.writeUInt16BE(qdcount, 4);
  h.writeUInt16BE(ancount, 6);
  return h;
}

/**
 * A NOERROR answer from local records (authoritative). Answers that do not fit maxSize are
 * left out and TC is set, so the client asks again over TCP.
 */
export function buildAnswer(query: DnsQuery, answers: readonly DnsAnswer[], maxSize = 0xffff): Buffer {
  const records: Buffer[] = [];
  let size = HEADER_SIZE + query.question.wire.length;
  let tc = 0;
  for (const answer of answers) {
    const rr = encodeAnswer(answer);
    if (size + rr.length > maxSize) {
      tc = FLAG_TC;
      break;
    }
    records.push(rr);
    size += rr.length;
  }
  const header = responseHeader(query.id, query.opcode, query.recursionDesired, RCODE.NOERROR, FLAG_AA | tc, 1, records.length);
  return Buffer.concat([header, query.question.wire, ...records]);
}

/** NOERROR with no answers: the name exists here but has no record of the asked type. */
export const buildEmptyAnswer = (query: DnsQuery): Buffer => buildAnswer(query, []);

/** An error reply (NXDOMAIN, SERVFAIL, REFUSED, ...) echoing the question. */
export function buildErrorReply(query: DnsQuery, rcode: number): Buffer {
  const aa = rcode === RCODE.NXDOMAIN ? FLAG_AA : 0;
  return Buffer.concat([responseHeader(query.id, query.opcode, query.recursionDesired, rcode, aa, 1, 0), query.question.wire]);
}

/** FORMERR or NOTIMP for a packet whose question cannot be used: only its header is echoed. */
export function buildHeaderError(header: DnsHeader, rcode: number): Buffer {
  return responseHeader(header.id, opcodeOf(header), (header.flags & FLAG_RD) !== 0, rcode, 0, 0, 0);
}

/** A copy of a message with another id (forwarding swaps ids both ways). */
export function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id & 0xffff, 0);
  return copy;
}

// Only the canonical form (no leading zeros) names an address of ours.
const REVERSE_NAME = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.in-addr\.arpa\.?$/i;

/** The IPv4 address a `d.c.b.a.in-addr.arpa` name asks about, or null for any other name. */
export function parseReverseName(name: string): string | null {
  const m = REVERSE_NAME.exec(name);
  if (!m) return null;
  const octets = [m[4], m[3], m[2], m[1]].map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.join('.');
}
