import { describe, expect, it } from 'vitest';
import { formatPorts, parseExposed, parseExtraHost, parsePublish } from './ports.ts';

describe('parsePublish (docker run -p)', () => {
  it('takes every form docker does', () => {
    expect(parsePublish('8080:80')).toEqual([{ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('80')).toEqual([{ hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual([{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    expect(parsePublish('127.0.0.1::80')).toEqual([{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('0.0.0.0:53:53/UDP')[0]).toMatchObject({ hostIp: '', protocol: 'udp' });
    expect(parsePublish('8000-8002:9000-9002').map((b) => [b.hostPort, b.containerPort])).toEqual([[8000, 9000], [8001, 9001], [8002, 9002]]);
  });

  it('says what is wrong with bad mappings', () => {
    expect(() => parsePublish('70000:80')).toThrow(/host port 70000 .* ports go from 1 to 65535/);
    expect(() => parsePublish('8080:0')).toThrow(/container port 0/);
    expect(() => parsePublish('8080:80/sctp')).toThrow(/invalid protocol "sctp".*tcp or udp/);
    expect(() => parsePublish('8080:80;rm -rf /')).toThrow(/invalid/);
    expect(() => parsePublish('1.2.3:8080:80')).toThrow(/invalid host address "1.2.3"/);
    expect(() => parsePublish('8000-8001:80')).toThrow(/same length/);
    expect(() => parsePublish('8002-8000:80-82')).toThrow(/end is below the start/);
    expect(() => parsePublish('[::1]:80:80')).toThrow(/IPv4 only/);
    expect(() => parsePublish('')).toThrow(/empty port mapping/);
  });
});

describe('formatPorts (docker ps PORTS)', () => {
  it('prints published and exposed ports as docker does, ranges grouped', () => {
    expect(formatPorts([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }])).toBe('0.0.0.0:8080->80/tcp');
    expect(
      formatPorts([
        { containerPort: 443, protocol: 'tcp' },
        { containerPort: 8001, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9001 },
        { containerPort: 8000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9000 },
      ]),
    ).toBe('443/tcp, 127.0.0.1:9000-9001->8000-8001/tcp');
    expect(formatPorts([])).toBe('');
  });
});

describe('parseExposed and parseExtraHost', () => {
  it('reads --expose and --add-host', () => {
    expect(parseExposed('80/tcp')).toEqual([{ port: 80, protocol: 'tcp' }]);
    expect(parseExposed('53-54/udp')).toHaveLength(2);
    expect(parseExtraHost('db.local:10.0.0.5')).toEqual({ host: 'db.local', ip: '10.0.0.5' });
    expect(() => parseExtraHost('db;ls:10.0.0.5')).toThrow(/invalid --add-host/);
  });
});
