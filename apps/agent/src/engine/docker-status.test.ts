import { describe, expect, it } from 'vitest';
import { humanDuration } from '@berth/protocol';
import { dockerStatus } from './docker-status.ts';

describe('docker ps STATUS column', () => {
  it('words durations as Docker does', () => {
    expect(humanDuration(400)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(42_000)).toBe('42 seconds');
    expect(humanDuration(90_000)).toBe('About a minute');
    expect(humanDuration(5 * 60_000)).toBe('5 minutes');
    expect(humanDuration(60 * 60_000)).toBe('About an hour');
    expect(humanDuration(30 * 3600_000)).toBe('30 hours');
    expect(humanDuration(3 * 86400_000)).toBe('3 days');
    expect(humanDuration(20 * 86400_000)).toBe('2 weeks');
    expect(humanDuration(100 * 86400_000)).toBe('3 months');
    expect(humanDuration(800 * 86400_000)).toBe('2 years');
  });

  it('says Up, Exited (code) … ago, Created, (Paused)', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const base = { exitCode: 0, startedAt: '2026-11-30T09:55:00Z', finishedAt: '2026-11-30T09:59:58Z' };
    expect(dockerStatus({ ...base, status: 'running' }, now)).toBe('Up 5 minutes');
    expect(dockerStatus({ ...base, status: 'paused' }, now)).toBe('Up 5 minutes (Paused)');
    expect(dockerStatus({ ...base, status: 'exited', exitCode: 137 }, now)).toBe('Exited (137) 2 seconds ago');
    expect(dockerStatus({ ...base, status: 'created' }, now)).toBe('Created');
    expect(dockerStatus({ ...base, status: 'dead' }, now)).toBe('Dead');
  });

  it('adds the health of a running container as docker ps does, not of a paused or stopped one', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const base = { exitCode: 0, startedAt: '2026-11-30T09:58:00Z', finishedAt: '2026-11-30T09:59:58Z' };
    expect(dockerStatus({ ...base, status: 'running', health: { status: 'healthy' } }, now)).toBe('Up 2 minutes (healthy)');
    expect(dockerStatus({ ...base, status: 'running', health: { status: 'starting' } }, now)).toBe('Up 2 minutes (health: starting)');
    expect(dockerStatus({ ...base, status: 'running', health: { status: 'unhealthy' } }, now)).toBe('Up 2 minutes (unhealthy)');
    expect(dockerStatus({ ...base, status: 'paused', health: { status: 'unhealthy' } }, now)).toBe('Up 2 minutes (Paused)');
    expect(dockerStatus({ ...base, status: 'exited', health: { status: 'unhealthy' } }, now)).toBe('Exited (0) 2 seconds ago');
  });
});
