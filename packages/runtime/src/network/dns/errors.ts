// Errors of the embedded DNS server. A bad packet is the sender's problem and is answered
// (FORMERR) or dropped; a bind failure is the operator's, so its message says what to do.

export type DnsFormatErrorCode =
  /** The packet ends before a header, name, question or record it announces. */
  | 'TRUNCATED'
  /** A label length byte uses the reserved 0x40/0x80 prefixes (a label is at most 63 octets). */
  | 'BAD_LABEL'
  /** A name longer than 255 octets on the wire. */
  | 'NAME_TOO_LONG'
  /** A compression pointer that does not point strictly backwards (loops or forward references). */
  | 'BAD_POINTER'
  /** A query must carry exactly one question. */
  | 'QUESTION_COUNT'
  /** Data that cannot go into a record (e.g. an A answer that is not an IPv4 address). */
  | 'BAD_RDATA';

export class DnsFormatError extends Error {
  override readonly name = 'DnsFormatError';
  constructor(
    readonly code: DnsFormatErrorCode,
    message: string,
    /** Byte offset in the packet where parsing stopped, when parsing. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** `addr:port`, with brackets around IPv6 so the port stays readable. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const BIND_HINTS: Record<string, string> = {
  EADDRINUSE: 'another process already listens there (dnsmasq, systemd-resolved or a second agent?); stop it or give the network another gateway address',
  EADDRNOTAVAIL: 'no interface has this address; create the network bridge and assign its gateway address before starting its DNS server',
  EACCES: 'ports below 1024 need root or CAP_NET_BIND_SERVICE; run the agent as root',
};

/** The server could not listen on address:port (UDP or TCP). */
export class DnsBindError extends Error {
  override readonly name = 'DnsBindError';
  constructor(
    readonly address: string,
    readonly port: number,
    readonly protocol: 'udp' | 'tcp',
    cause: unknown,
  ) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
    const hint = (errno && BIND_HINTS[errno]) ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot listen for DNS on ${hostPort(address, port)}/${protocol}${errno ? ` (${errno})` : ''}: ${hint}`, { cause });
  }
}

/** An upstream resolver did not give a usable reply; the server falls back to the next one. */
export class DnsUpstreamError extends Error {
  override readonly name = 'DnsUpstreamError';
  constructor(
    readonly upstream: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`upstream DNS ${upstream}: ${message}`, options);
  }
}

/** A resolv.conf value that would not survive being written (whitespace, newline, not an IP). */
export class ResolvConfError extends Error {
  override readonly name = 'ResolvConfError';
}
