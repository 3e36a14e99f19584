// Decides the answer to a query from the network's own records, or null to forward it upstream.
// Pure: no sockets, so every rule here is tested without the server.
import type { DnsQuery } from './message.ts';
import { CLASS_IN, RCODE, TYPE, buildAnswer, buildEmptyAnswer, buildErrorReply, parseReverseName } from './message.ts';

export interface DnsRecords {
  /** IPv4 addresses for a name asked by a client at clientIp, or null when the name is not local. */
  lookup(name: string, clientIp: string): string[] | null;
  /** Name for a reverse lookup of an IPv4 address (in-addr.arpa), or null when not local. */
  reverse(ip: string, clientIp: string): string | null;
  /** Upstream resolvers for this client ("ip" or "ip:port"); empty = answer SERVFAIL for non-local names. */
  upstreams(clientIp: string): string[];
  /**
   * Whether to answer this client at all: the server listens on a host address, and only the
   * network's own containers may use it (not an open resolver for whoever routes to it).
   * Absent: everyone.
   */
  serves?(clientIp: string): boolean;
}

/**
 * The local answer, or null when the name is not ours. maxSize is 512 over UDP: a name with too
 * many addresses gets TC and the client retries over TCP.
 */
export function answerLocally(query: DnsQuery, records: DnsRecords, clientIp: string, maxSize: number): Buffer | null {
  const { name, type, qclass } = query.question;
  if (qclass !== CLASS_IN || name === '') return null;
  if (type === TYPE.PTR) {
    const ip = parseReverseName(name);
    const target = ip === null ? null : records.reverse(ip, clientIp);
    if (target !== null) return buildAnswer(query, [{ type: 'PTR', name: target }], maxSize);
  }
  const addresses = records.lookup(name, clientIp);
  if (addresses === null) return null;
  if (type === TYPE.A) return buildAnswer(query, addresses.map((address) => ({ type: 'A', address })), maxSize);
  // Zone transfers of container names are not offered to anyone.
  if (type === TYPE.AXFR || type === TYPE.IXFR) return buildErrorReply(query, RCODE.REFUSED);
  // AAAA and every other type: the name is ours and has only IPv4 addresses. Answering at once
  // keeps resolvers from waiting on an upstream that cannot know the name.
  return buildEmptyAnswer(query);
}
