/**
 * Fleet benchmark: N simulated hosts (real protocol, real keys) against one control plane
 * process on this machine. Measures the gateway's memory, the time for the whole fleet to
 * come back after a control plane restart, API latency (hosts.list, and a command round
 * trip to one host through the outbox) against a direct server answering the same list,
 * and the time from an agent's event to a subscribed client.
 *
 * Containers (issue 3's "containers.list across the fleet and one container start"): every
 * simulated host answers container.list with `--containers` Docker-like rows and container.start
 * with {ok:true}. Measured through the real tRPC API: `containers.list({all:true})` without a
 * host (the gateway asks every online host through the command outbox), `containers.list` of
 * one host, and `containers.action({host, id, action:'start'})`; each beside a plain node:http
 * server answering the same body from memory. For the fleet-wide list, each sample also records
 * when the first and last host received its request, and the CPU time the gateway, Postgres
 * and this process (the simulated hosts and the client) spent during it.
 *
 *   node --import tsx bench/fleet.ts [--hosts 1000] [--containers 50] [--samples 200] [--fleet-list-samples 20] [--only containers]
 *
 * --only containers skips hosts.list, hosts.facts, the event and reconnect measurements.
 * --cpu-prof DIR runs the gateway with node's --cpu-prof, its profile written to DIR when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '@berth/db';
import { freePort } from '@berth/testing/registry';
import { nodeArgs } from '@berth/testing/fleet';
import { seedControlPlane, treeCpuSeconds } from './common.ts';
import { requestTrace, SimulatedAgent, simulatedContainers } from './fleet-sim.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    containers: { type: 'string', default: '50' },
    samples: { type: 'string', default: '200' },
    'fleet-list-samples': { type: 'string', default: '20' },
    only: { type: 'string', default: 'all' },
    /** a directory: the gateway runs with --cpu-prof and writes its profile there when it stops */
    'cpu-prof': { type: 'string' },
  },
});
const HOSTS = Number(values.hosts);
const CONTAINERS = Number(values.containers);
const SAMPLES = Number(values.samples);
const FLEET_LIST_SAMPLES = Number(values['fleet-list-samples']);
if (values.only !== 'all' && values.only !== 'containers') throw new Error('--only is all or containers');
const ALL = values.only === 'all';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...parts: unknown[]) => process.stderr.write(`${parts.map(String).join(' ')}\n`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const summary = (xs: number[]) => ({ p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2), p99: +pct(xs, 99).toFixed(2) });

async function memoryOf(pid: number): Promise<{ rssMiB: number; pssMiB: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssMiB: +(kb('Rss') / 1024).toFixed(1), pssMiB: +(kb('Pss') / 1024).toFixed(1) };
}

function startGateway(databaseUrl: string, port: number): Promise<ChildProcess> {
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...prof, ...nodeArgs('gateway')], {
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
    const { url, db, token, join } = await seedControlPlane(pg, HOSTS);
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
    const post = async (path: string, input: unknown) => {
      const r = await fetch(`${base}/api/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    /** p50/p95/p99 of fetching a body from a plain node:http server that holds it in memory */
    const directServer = async (body: string, samples: number) => {
      const server = createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json' }).end(body));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const u = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const xs: number[] = [];
      for (let i = 0; i < samples; i++) xs.push(await time(() => fetch(u).then((r) => r.json())));
      server.close();
      return summary(xs);
    };

    // containers: the fleet-wide list, one host's list, one start
    type ListAnswer = { result: { data: { json: { containers: Array<{ id: string; host: string }>; unavailable: unknown[] } } } };
    const fleetList = () => get('containers.list', { all: true }) as Promise<ListAnswer>;
    for (let i = 0; i < 2; i++) await fleetList(); // warm-up
    const first = await fleetList();
    // the floor's body: the API's own answer when every host made it in time, else the same rows built here
    const complete = first.result.data.json.containers.length === HOSTS * CONTAINERS && first.result.data.json.unavailable.length === 0;
    const fleetBody = complete
      ? JSON.stringify(first)
      : JSON.stringify({ result: { data: { json: { containers: agents.flatMap((a, i) => simulatedContainers(a.name, CONTAINERS).map((c) => ({ ...c, host: a.name, hostId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }))).sort((a, b) => b.created - a.created), unavailable: [], hosts: agents.map((a) => a.name) } } } });
    const xacts = async () => Number((await db.$queryRaw<Array<{ n: bigint }>>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`)[0]!.n);
    const mean = (xs: number[]) => +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2);
    const fleetMs: number[] = [];
    const firstAsked: number[] = [];
    const lastAsked: number[] = [];
    const cpu = { gateway: [] as number[], postgres: [] as number[], benchProcess: [] as number[] };
    const transactions: number[] = [];
    const rowsReturned: number[] = [];
    const unavailable: number[] = [];
    /** why hosts were reported unavailable, host names and numbers blanked, over all samples */
    const reasons = new Map<string, number>();
    for (let i = 0; i < FLEET_LIST_SAMPLES; i++) {
      const [g0, p0, x0, b0] = [await treeCpuSeconds(gateway.pid!), await treeCpuSeconds(pg.pid), await xacts(), process.cpuUsage()];
      requestTrace.seen = [];
      requestTrace.on = true;
      const t = performance.now();
      const answer = (await fleetList()).result.data.json;
      const ms = performance.now() - t;
      rowsReturned.push(answer.containers.length);
      unavailable.push(answer.unavailable.length);
      for (const u of answer.unavailable as Array<{ reason: string }>) {
        const k = u.reason.replace(/sim-\d+/g, 'HOST').replace(/\d+(\.\d+)?/g, 'N');
        reasons.set(k, (reasons.get(k) ?? 0) + 1);
      }
      requestTrace.on = false;
      const asked = requestTrace.seen.filter((r) => r.op === 'container.list').map((r) => r.at - t);
      const b1 = process.cpuUsage(b0);
      const [g1, p1, x1] = [await treeCpuSeconds(gateway.pid!), await treeCpuSeconds(pg.pid), await xacts()];
      transactions.push(x1 - x0 - 1); // less the xacts() query itself
      fleetMs.push(ms);
      firstAsked.push(Math.min(...asked));
      lastAsked.push(Math.max(...asked));
      cpu.gateway.push(g1 - g0);
      cpu.postgres.push(p1 - p0);
      cpu.benchProcess.push((b1.user + b1.system) / 1e6);
      log(`containers.list across ${HOSTS} hosts ${i + 1}/${FLEET_LIST_SAMPLES}: ${ms.toFixed(0)} ms; hosts asked from ${Math.min(...asked).toFixed(0)} to ${Math.max(...asked).toFixed(0)} ms; CPU s gateway ${(g1 - g0).toFixed(2)}, postgres ${(p1 - p0).toFixed(2)}; ${x1 - x0 - 1} transactions; ${answer.containers.length} rows, ${answer.unavailable.length} hosts unavailable, ${asked.length} asked`);
    }
    const directFleet = await directServer(fleetBody, Math.max(FLEET_LIST_SAMPLES, 20));
    const oneHostList: number[] = [];
    for (let i = 0; i < SAMPLES; i++) oneHostList.push(await time(() => get('containers.list', { host: agents[Math.floor(Math.random() * HOSTS)]!.name, all: true })));
    const oneHostBody = JSON.stringify(await get('containers.list', { host: agents[0]!.name, all: true }));
    const directOneHost = await directServer(oneHostBody, SAMPLES);
    // the fleet's containers a page at a time from the inventories (containers.search)
    const searchFirstPage: number[] = [];
    const searchFiltered: number[] = [];
    let searchTotal = 0;
    for (let i = 0; i < SAMPLES; i++) {
      searchFirstPage.push(await time(async () => (searchTotal = ((await get('containers.search', { limit: 100 })) as { result: { data: { json: { total: number } } } }).result.data.json.total)));
      searchFiltered.push(await time(() => get('containers.search', { text: 'nginx', states: ['running'], sort: 'name', offset: 200, limit: 100 })));
    }
    const byHost = new Map<string, string[]>();
    for (const a of agents) byHost.set(a.name, simulatedContainers(a.name, CONTAINERS).map((c) => c.id));
    const start: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const host = agents[Math.floor(Math.random() * HOSTS)]!.name;
      const ids = byHost.get(host)!;
      start.push(await time(() => post('containers.action', { host, id: ids[Math.floor(Math.random() * ids.length)]!.slice(0, 12), action: 'start' })));
    }
    const containersResult = {
      fleetWideList: {
        samples: FLEET_LIST_SAMPLES,
        rowsExpected: HOSTS * CONTAINERS,
        rowsReturnedMin: Math.min(...rowsReturned),
        hostsUnavailable: { min: Math.min(...unavailable), max: Math.max(...unavailable) },
        unavailableReasons: Object.fromEntries([...reasons].sort((a, b) => b[1] - a[1])),
        postgresTransactionsPerCallMean: mean(transactions),
        bodyMiB: +(Buffer.byteLength(fleetBody) / 2 ** 20).toFixed(1),
        ms: { ...summary(fleetMs), min: +Math.min(...fleetMs).toFixed(1), max: +Math.max(...fleetMs).toFixed(1) },
        firstHostAskedMs: summary(firstAsked),
        lastHostAskedMs: summary(lastAsked),
        cpuSecondsPerCallMean: { gateway: mean(cpu.gateway), postgres: mean(cpu.postgres), benchProcess: mean(cpu.benchProcess) },
      },
      directServerFleetListMs: directFleet,
      fleetSearchFromInventories: { rowsTotal: searchTotal, firstPageOf100Ms: summary(searchFirstPage), filteredSortedPageMs: summary(searchFiltered) },
      oneHostListMs: summary(oneHostList),
      directServerOneHostListMs: directOneHost,
      oneHostBodyKiB: +(Buffer.byteLength(oneHostBody) / 1024).toFixed(1),
      startRoundTripMs: summary(start),
    };
    log(`containers: ${JSON.stringify(containersResult)}`);
    if (!ALL) {
      console.log(JSON.stringify({ date: new Date().toISOString(), hosts: HOSTS, containersPerHost: CONTAINERS, samples: SAMPLES, enrollSeconds: +enrollSeconds.toFixed(1), gatewayMemory: { idle, withFleet: loaded }, containers: containersResult }, null, 2));
      await db.$disconnect();
      return;
    }

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
      containers: containersResult,
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
