import { describe, expect, it } from 'vitest';
import { buildRuleset } from './ruleset.ts';

const net = (name: string, bridge: string, subnet: string, internal = false) => ({ id: name, name, created: '', bridge, subnet, gateway: subnet.replace('.0/', '.1/').split('/')[0] as string, internal, labels: {}, isDefault: name === 'bridge' });

/** The rules of one chain as `nft list` would print them, roughly: enough to read what a rule does. */
function chain(doc: ReturnType<typeof buildRuleset>, name: string): string[] {
  return doc.nftables
    .map((c) => (c as { add?: { rule?: { chain: string; expr: unknown[] } } }).add?.rule)
    .filter((r): r is { chain: string; expr: unknown[] } => r?.chain === name)
    .map((r) => JSON.stringify(r.expr));
}

describe('the agent’s nftables table', () => {
  const doc = buildRuleset({
    table: 'berth',
    networks: [net('bridge', 'berth0', '172.17.0.0/16'), net('back', 'br-b', '10.9.0.0/24', true)],
    forwards: [{ binding: { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, containerIp: '172.17.0.2' }],
  });

  it('replaces the whole table in one transaction: add, delete, add', () => {
    expect(doc.nftables.slice(0, 3)).toEqual([
      { add: { table: { family: 'ip', name: 'berth' } } },
      { delete: { table: { family: 'ip', name: 'berth' } } },
      { add: { table: { family: 'ip', name: 'berth' } } },
    ]);
  });

  it('publishes the port to the container, from outside and from the host', () => {
    expect(chain(doc, 'published')).toEqual([expect.stringContaining('"dnat":{"addr":"172.17.0.2","port":80}')]);
    expect(chain(doc, 'published')[0]).toContain('"right":"127.0.0.1"');
    expect(chain(doc, 'prerouting')).toHaveLength(1);
    expect(chain(doc, 'output')).toHaveLength(1);
  });

  it('masquerades outbound traffic of non-internal networks only', () => {
    const nat = chain(doc, 'postrouting').filter((r) => r.includes('"len":16') || r.includes('"len":24'));
    expect(nat.some((r) => r.includes('172.17.0.0'))).toBe(true);
    expect(nat.some((r) => r.includes('10.9.0.0'))).toBe(false);
  });

  it('keeps internal networks in, other networks apart, and the host’s loopback out of reach of containers', () => {
    const fwd = chain(doc, 'forward');
    expect(fwd.filter((r) => r.includes('br-b') && r.includes('drop'))).toHaveLength(2);
    expect(fwd.some((r) => r.includes('@bridges') && r.includes('berth0'))).toBe(true);
    expect(chain(doc, 'input')).toEqual([expect.stringMatching(/@bridges.*127\.0\.0\.0.*established.*"accept"/), expect.stringMatching(/@bridges.*127\.0\.0\.0.*"drop"/)]);
  });
});
