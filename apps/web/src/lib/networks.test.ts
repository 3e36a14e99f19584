import { describe, expect, it } from 'vitest';
import { isPredefinedNetwork, networkView, parseCidr, portMappings, portPieces, validateNetworkForm } from './networks.ts';

const form = { name: 'e2enet', subnet: '', gateway: '', internal: false };

describe('validateNetworkForm', () => {
  it('builds the create input, leaving out what was not given', () => {
    expect(validateNetworkForm(form)).toEqual({ errors: {}, input: { name: 'e2enet', internal: false } });
    expect(validateNetworkForm({ name: ' app.net ', subnet: '10.216.7.0/24', gateway: '10.216.7.254', internal: true }).input).toEqual({ name: 'app.net', subnet: '10.216.7.0/24', gateway: '10.216.7.254', internal: true });
  });

  it('says what is wrong with each field', () => {
    expect(validateNetworkForm({ ...form, name: '-x' }).errors.name).toMatch(/\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]\*/);
    expect(validateNetworkForm({ ...form, name: '' }).errors.name).toBe('a network needs a name');
    expect(validateNetworkForm({ ...form, name: 'bridge' }).errors.name).toMatch(/pre-defined/);
    expect(validateNetworkForm({ ...form, subnet: '10.0.0/24' }).errors.subnet).toMatch(/IPv4 CIDR/);
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.300/24' }).errors.subnet).toMatch(/0 to 255/);
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.5/24' }).errors.subnet).toBe('10.0.0.5/24 has host bits set: the subnet is 10.0.0.0/24');
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.0/31' }).errors.subnet).toMatch(/\/8 to \/30/);
    expect(validateNetworkForm({ ...form, gateway: '10.0.0.1' }).errors.gateway).toMatch(/give the subnet too/);
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.0/24', gateway: '10.0.1.1' }).errors.gateway).toBe('10.0.1.1 is not in 10.0.0.0/24');
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.0/24', gateway: '10.0.0.255' }).errors.gateway).toMatch(/broadcast/);
    expect(validateNetworkForm({ ...form, subnet: '10.0.0.0/24', gateway: 'x' }).errors.gateway).toMatch(/IPv4 address/);
  });

  it('reads CIDR at the top of the address space', () => {
    expect(parseCidr('192.168.240.0/20')).toEqual({ network: 0xc0a8f000, prefix: 20 });
  });
});

describe('tables', () => {
  it('keeps host, none and the default bridge from being removed', () => {
    expect(isPredefinedNetwork({ name: 'bridge', driver: 'bridge' })).toBe(true);
    expect(isPredefinedNetwork({ name: 'host', driver: 'host' })).toBe(true);
    expect(isPredefinedNetwork({ name: 'none', driver: 'null' })).toBe(true);
    expect(isPredefinedNetwork({ name: 'e2enet', driver: 'bridge' })).toBe(false);
  });

  it('links a port only on an address of the host that the browser may use', () => {
    expect(portPieces([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }])).toEqual([{ text: '127.0.0.1:8080->80/tcp' }]);
    expect(portPieces([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }])).toEqual([{ text: '0.0.0.0:8080->80/tcp' }]);
    expect(portPieces([
      { containerPort: 80, protocol: 'tcp', hostIp: '192.0.2.10', hostPort: 8080 },
      { containerPort: 53, protocol: 'udp', hostIp: '192.0.2.10', hostPort: 5353 },
      { containerPort: 443, protocol: 'tcp' },
    ])).toEqual([
      { text: '443/tcp' },
      { text: '192.0.2.10:8080->80/tcp', href: 'http://192.0.2.10:8080/' },
      { text: '192.0.2.10:5353->53/udp' },
    ]);
    expect(portPieces([])).toEqual([]);
  });

  it('reads docker inspect\'s network settings', () => {
    const v = networkView({
      HostConfig: { NetworkMode: 'e2enet' },
      NetworkSettings: {
        Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': null },
        Networks: { e2enet: { NetworkID: 'abc', Aliases: ['web'], IPAddress: '10.216.1.2', IPPrefixLen: 24, Gateway: '10.216.1.1', MacAddress: '02:42:0a:d8:01:02' } },
      },
    });
    expect(v.mode).toBe('e2enet');
    expect(v.endpoints).toEqual([{ network: 'e2enet', networkId: 'abc', ipAddress: '10.216.1.2', prefixLen: 24, gateway: '10.216.1.1', macAddress: '02:42:0a:d8:01:02', aliases: ['web'] }]);
    expect(v.ports).toEqual([{ container: '80/tcp', host: '127.0.0.1:8080' }, { container: '443/tcp', host: null }]);
    expect(networkView(undefined)).toEqual({ mode: 'none', endpoints: [], ports: [] });
    expect(portMappings({ '53/udp': [] })).toEqual([{ container: '53/udp', host: null }]);
  });
});
