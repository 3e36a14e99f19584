import { describe, expect, it } from 'vitest';
import type { DnsRecords } from './local.ts';
import { answerLocally } from './local.ts';
import { RCODE, TYPE, buildQuery, parseMessage, parseQuery, rcodeOf } from './message.ts';

const records: DnsRecords = {
  lookup: (name, clientIp) => (name === 'web' ? ['10.88.0.2'] : name === 'private' && clientIp === '10.88.0.3' ? ['10.88.0.9'] : null),
  reverse: (ip) => (ip === '10.88.0.2' ? 'web.mystack' : null),
  upstreams: () => [],
};

function ask(name: string, type: number, clientIp = '10.88.0.3', qclass = 1) {
  const reply = answerLocally(parseQuery(buildQuery({ id: 1, name, type, qclass })), records, clientIp, 512);
  return reply && parseMessage(reply);
}

describe('answerLocally', () => {
  it('answers A for local names, per client', () => {
    expect(ask('web', TYPE.A)?.answers.map((a) => a.value)).toEqual(['10.88.0.2']);
    expect(ask('private', TYPE.A)?.answers.map((a) => a.value)).toEqual(['10.88.0.9']);
    expect(ask('private', TYPE.A, '10.88.0.4')).toBeNull();
  });

  it('answers other types of a local name with an empty NOERROR, zone transfers with REFUSED', () => {
    for (const type of [TYPE.AAAA, 16 /* TXT */, 33 /* SRV */, TYPE.ANY]) {
      const msg = ask('web', type);
      expect([rcodeOf(msg!.header), msg!.answers.length]).toEqual([RCODE.NOERROR, 0]);
    }
    expect(rcodeOf(ask('web', TYPE.AXFR)!.header)).toBe(RCODE.REFUSED);
  });

  it('answers PTR it knows, leaves the rest (and other classes, the root) to upstreams', () => {
    expect(ask('2.0.88.10.in-addr.arpa', TYPE.PTR)?.answers[0]?.value).toBe('web.mystack');
    expect(ask('3.0.88.10.in-addr.arpa', TYPE.PTR)).toBeNull();
    expect(ask('example.com', TYPE.A)).toBeNull();
    expect(ask('web', TYPE.A, '10.88.0.3', 3 /* CHAOS */)).toBeNull();
    expect(ask('', TYPE.A)).toBeNull();
  });
});
