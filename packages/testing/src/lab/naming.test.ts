import { describe, it, expect } from 'vitest';
import { overlaps } from './addressing.ts';
import { IFNAME_MAX, MAX_HOSTS, MANUAL_OCTET, isLabId, labIdFromHostName, labIdFromLinkName, labNames, labSubnet, makeLabId, pidFromLabId, subnetCandidates } from './naming.ts';

describe('lab naming', () => {
  it('embeds the creating pid in the id, up to the largest pid_max', () => {
    for (const pid of [1, 4242, 4_194_304]) {
      const id = makeLabId(pid);
      expect(isLabId(id)).toBe(true);
      expect(pidFromLabId(id)).toBe(pid);
    }
    expect(pidFromLabId('manual')).toBeUndefined();
  });

  it('keeps interface names within 15 bytes and finds the id back in every name', () => {
    const names = labNames(makeLabId(4_194_304));
    for (const ifname of [names.bridge, names.veth(1), names.veth(MAX_HOSTS)]) {
      expect(ifname.length).toBeLessThanOrEqual(IFNAME_MAX);
      expect(labIdFromLinkName(ifname)).toBe(names.id);
    }
    expect(labIdFromHostName(names.netns(3))).toBe(names.id);
    expect(labIdFromHostName(names.cgroupParent(3))).toBe(names.id);
    expect(labIdFromHostName(names.rootDir.split('/').pop() ?? '')).toBe(names.id);
    expect(labIdFromHostName('berth-lab-manual-h1')).toBeUndefined();
    expect(labIdFromLinkName('blmanualh1')).toBeUndefined();
  });

  it('plans addresses inside 10.213.0.0/16, never on the manual lab', () => {
    const candidates = subnetCandidates(makeLabId(99));
    expect(new Set(candidates).size).toBe(candidates.length);
    expect(candidates).not.toContain(MANUAL_OCTET);
    const subnet = labSubnet(7);
    expect([subnet.cidr, subnet.gateway, subnet.hostAddress(1), subnet.hostAddress(2)]).toEqual(['10.213.7.0/24', '10.213.7.1', '10.213.7.11', '10.213.7.12']);
  });

  it('detects overlapping prefixes', () => {
    expect(overlaps('10.213.7.0/24', '10.213.7.1/24')).toBe(true);
    expect(overlaps('10.213.7.0/24', '10.0.0.0/8')).toBe(true);
    expect(overlaps('10.213.7.0/24', '10.213.7.200/32')).toBe(true);
    expect(overlaps('10.213.7.0/24', '10.213.8.1/24')).toBe(false);
    expect(overlaps('10.213.7.0/24', '127.0.0.1/8')).toBe(false);
  });
});
