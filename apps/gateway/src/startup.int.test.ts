import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@berth/testing/db';
import { nodeArgs } from '@berth/testing/fleet';

/** Runs the gateway until it exits; start-up errors must be one line, not a stack trace. */
function gatewayExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, nodeArgs('gateway'), { env: { ...process.env, BERTH_WEB: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const oneLine = (s: string) => s.trim().split('\n');

describe('gateway start-up checks', () => {
  const t = useTestDatabase();

  it('refuses a malformed DATABASE_URL with one line saying what to do', async () => {
    const r = await gatewayExit({ DATABASE_URL: 'mysql://nope', PORT: '1' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(['berth gateway: configuration: DATABASE_URL must be a postgresql:// URL (or leave it unset and let ./berth up run the embedded Postgres)']);
  });

  it('says so in one line when the database cannot be reached', async () => {
    const r = await gatewayExit({ DATABASE_URL: 'postgresql://berth:x@127.0.0.1:1/berth', PORT: '1' });
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(['berth gateway: cannot reach the database at DATABASE_URL (ECONNREFUSED): check the URL, that Postgres is running, and the password']);
  });

  it('says which port is taken and how to change it', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = await gatewayExit({ DATABASE_URL: t().url, PORT: String(port), BIND: '127.0.0.1' });
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toEqual([`berth gateway: port ${port} on 127.0.0.1 is in use: stop what holds it (ss -ltnp 'sport = :${port}') or set PORT`]);
    } finally {
      holder.close();
    }
  });
});
