/**
 * Fleet benchmark: N simulated hosts (real protocol, real keys) against one control plane
 * process on this machine. Measures the gateway's memory, the time for the whole fleet to
 * come back after a control plane restart, API latency (hosts.list, and a command round
 * trip to one host through the outbox) against a direct server answering the same list,
 * and the time from an agent's event to a subscribed client.
 *
 *   node --import tsx bench/fleet.ts [--hosts 1000] [--containers 50] [--samples 200]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApiToken, createJoinToken, createUser, systemActor } from '@berth/core';
import { createDb, ensureDatabase, migrate, startEmbeddedPostgres } from '@berth/db';
import { freePort } from '@berth/testing/registry';
import { nodeArgs } from '@berth/testing/fleet';
import { SimulatedAgent } from './fleet-sim.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' }, containers: { type: 'string', default: '50' }, samples: { type: 'string', default: '200' } } });
const HOSTS = Number(values.hosts);
const CONTAINERS = Number(values.containers);
const SAMPLES = Number(values.samples);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const summary = (xs: number[]) => ({ p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2), p99: +pct(xs, 99).toFixed(2) });

async function memoryOf(pid: number): Promise<{ rssMiB: number; pssMiB: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssMiB: +(kb('Rss') / 1024).toFixed(1), pssMiB: +(kb('Pss') / 1024).toFixed(1) };
}

function startGateway(databaseUrl: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, nodeArgs('gateway'), {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), BIND: '127.0.0.1', BERTH_WEB: '0', BERTH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (async () => {
    while (!(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false))) await sleep(50);
    return child;
  })();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  await chmod(dir, 0o711);
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort(), settings: { max_connections: '200' } });
  let gateway: ChildProcess | null = null;
  const agents: SimulatedAgent[] = [];
  try {
    await ensureDatabase(pg.url(), 'berth');
    const url = pg.url('berth');
    await migrate(url);
    const db = createDb(url);
    const u = await createUser(systemActor(), { username: 'bench', password: 'bench-password-1', role: 'admin' }, db);
    const actor = { kind: 'user' as const, id: u.id, name: 'bench', role: 'admin' as const, source: 'cli' as const, remoteAddr: null };
    const { token } = await createApiToken(actor, { name: 'bench' }, db);
    const join = await createJoinToken(actor, { maxUses: HOSTS, ttlSeconds: 3600 }, db);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    gateway = await startGateway(url, port);
    const idle = await memoryOf(gateway.pid!);

    // enroll the fleet, 50 handshakes at a time
    let t0 = performance.now();
    for (let i = 0; i < HOSTS; i++) agents.push(new SimulatedAgent(`sim-${String(i).padStart(4, '0')}`, `ws://127.0.0.1:${port}/agent`, join.token, CONTAINERS));
    for (let i = 0; i < HOSTS; i += 50) {
      agents.slice(i, i + 50).forEach((a) => a.connect());
      while (agents.slice(i, i + 50).some((a) => !a.online)) await sleep(5);
    }
    const enrollSeconds = (performance.now() - t0) / 1000;
    await sleep(12_000); // every host has sent a couple of heartbeats
    const loaded = await memoryOf(gateway.pid!);

    const headers = { authorization: `Bearer ${token}` };
    const time = async (f: () => Promise<unknown>) => {
      const s = performance.now();
      await f();
      return performance.now() - s;
    };
    const get = async (path: string, input: unknown) => {
      const r = await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const list: number[] = [];
    for (let i = 0; i < SAMPLES; i++) list.push(await time(() => get('hosts.list', undefined)));
    // the same answer from a direct server that holds it in memory: the floor for this list
    const body = JSON.stringify(await get('hosts.list', undefined));
    const direct = createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((r) => direct.listen(0, '127.0.0.1', r));
    const directUrl = `http://127.0.0.1:${(direct.address() as { port: number }).port}/`;
    const directList: number[] = [];
    for (let i = 0; i < SAMPLES; i++) directList.push(await time(() => fetch(directUrl).then((r) => r.json())));
    direct.close();
    const command: number[] = [];
    for (let i = 0; i < SAMPLES; i++) command.push(await time(() => get('hosts.facts', { host: agents[Math.floor(Math.random() * HOSTS)]!.name })));

    // events: agent → gateway → subscribed client (SSE)
    const controller = new AbortController();
    const sse = await fetch(`${base}/api/trpc/events.stream?input=${encodeURIComponent(JSON.stringify({ json: { kinds: ['agent.event'] } }))}`, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
    const reader = sse.body!.getReader();
    const eventLatency: number[] = [];
    const pendingEvents = new Map<string, number>();
    let buffer = '';
    const pump = (async () => {
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const m = /"seq":"(e\d+)"/.exec(frame);
          const sent = m && pendingEvents.get(m[1]!);
          if (sent) eventLatency.push(performance.now() - sent);
        }
      }
    })();
    await sleep(300);
    for (let i = 0; i < SAMPLES; i++) {
      const seq = `e${i}`;
      pendingEvents.set(seq, performance.now());
      agents[Math.floor(Math.random() * HOSTS)]!.emit('container.start', { seq });
      await sleep(10);
    }
    await sleep(1000);
    controller.abort();
    await pump;

    // restart the control plane: how long until every host is back?
    gateway.kill('SIGKILL');
    await new Promise((r) => gateway!.once('exit', r));
    while (agents.some((a) => a.online)) await sleep(10);
    t0 = performance.now();
    gateway = await startGateway(url, port);
    const upAt = performance.now();
    while (agents.some((a) => !a.online)) await sleep(20);
    const back = agents.map((a) => a.onlineAt - t0).sort((a, b) => a - b);
    const result = {
      date: new Date().toISOString(),
      hosts: HOSTS,
      containersPerHost: CONTAINERS,
      enrollSeconds: +enrollSeconds.toFixed(1),
      gatewayMemory: { idle, withFleet: loaded },
      hostsListMs: summary(list),
      directServerListMs: summary(directList),
      commandRoundTripMs: summary(command),
      eventToSubscriberMs: { ...summary(eventLatency), received: eventLatency.length, sent: SAMPLES },
      reconnect: { gatewayStartSeconds: +((upAt - t0) / 1000).toFixed(1), halfFleetSeconds: +(back[Math.floor(HOSTS / 2)]! / 1000).toFixed(1), wholeFleetSeconds: +(back[HOSTS - 1]! / 1000).toFixed(1) },
    };
    console.log(JSON.stringify(result, null, 2));
    await db.$disconnect();
  } finally {
    agents.forEach((a) => a.stop());
    // the gateway first: stopping Postgres under it only fills stderr with connection errors
    const gw = gateway;
    if (gw && gw.exitCode === null && gw.signalCode === null) {
      const exited = new Promise((r) => gw.once('exit', r));
      gw.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      gw.kill('SIGKILL');
    }
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
