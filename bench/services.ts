/**
 * Desired-state benchmark (issue 8): N stateful simulated hosts (bench/fleet-sim.ts, the real
 * protocol) against one gateway process whose reconciler places and starts service replicas.
 *
 * 1. Converge: --services services (default one) totalling --replicas replicas are created
 *    through the tRPC API (a service holds at most 10,000). Timed from the first
 *    services.create until every replica runs, three ways: on the hosts (the simulated engines;
 *    each host's inventory follows ~300 ms after a change), in the hosts' inventories in
 *    Postgres (what the reconciler observes), and in the replica rows (services.list's running
 *    count, what `berth service ls` shows). First replica, 50 % and 100 % of each; then the
 *    spread (replicas per host) from services.get.
 * 2. Reschedule: --offline hosts holding replicas are stopped (sockets terminated, no
 *    reconnect); timed from the stop until their replicas run on other hosts. The reconciler
 *    waits BERTH_RESCHEDULE_AFTER_MS from the host's last heartbeat before it moves them: the
 *    time of its first "moved" event and the time after the grace are reported.
 * 3. Steady state: the converged fleet with nothing to do, the gateway's and Postgres' CPU
 *    over --idle-seconds; then the same gateway restarted with BERTH_RECONCILER=0, the fleet
 *    reconnected, and the same window again, so the reconciler's own share shows.
 *
 *   node --import tsx bench/services.ts [--hosts 1000] [--replicas 5000] [--services 1] [--offline 10] [--idle-seconds 60]
 *     [--reschedule-after-ms 5000] [--heartbeat-ms 5000] [--offline-after-ms 15000] [--containers 0]
 *     [--timeout-minutes 10] [--cpu-prof DIR]
 *
 * --containers N gives each host N other (non-service) containers in its inventory, as
 * bench/fleet.ts's hosts have. --cpu-prof DIR runs the gateway with node's --cpu-prof (a
 * profile per gateway process, written when it stops).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '@berth/db';
import { ServiceLabels } from '@berth/protocol';
import { freePort } from '@berth/testing/registry';
import { nodeArgs } from '@berth/testing/fleet';
import { log, machine, seedControlPlane, sleep, treeCpuSeconds } from './common.ts';
import { SimulatedAgent } from './fleet-sim.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '5000' },
    services: { type: 'string', default: '1' },
    offline: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '60' },
    'reschedule-after-ms': { type: 'string', default: '5000' },
    'heartbeat-ms': { type: 'string', default: '5000' },
    'offline-after-ms': { type: 'string', default: '15000' },
    containers: { type: 'string', default: '0' },
    'timeout-minutes': { type: 'string', default: '10' },
    'cpu-prof': { type: 'string' },
  },
});
const HOSTS = Number(values.hosts);
const REPLICAS = Number(values.replicas);
const SERVICES = Number(values.services);
const OFFLINE = Number(values.offline);
const IDLE_S = Number(values['idle-seconds']);
const RESCHEDULE_AFTER_MS = Number(values['reschedule-after-ms']);
const CONTAINERS = Number(values.containers);
const TIMEOUT_MS = Number(values['timeout-minutes']) * 60_000;
/** ServiceSpec's own limit on one service's replicas */
const PER_SERVICE = 10_000;
for (const [k, v] of Object.entries({ HOSTS, REPLICAS, SERVICES, OFFLINE, IDLE_S, RESCHEDULE_AFTER_MS, CONTAINERS, TIMEOUT_MS })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${k.toLowerCase().replace(/_/g, '-')} must be a whole number, not ${v}`);
}
if (OFFLINE >= HOSTS) throw new Error('--offline must be fewer than --hosts');
if (SERVICES < 1 || REPLICAS / SERVICES > PER_SERVICE) throw new Error(`--services must be at least 1 and hold at most ${PER_SERVICE} replicas each`);

const s1 = (ms: number | null) => (ms === null ? null : +(ms / 1000).toFixed(1));

/** The 1-minute load average, sampled every 5 s while the benchmark runs. */
const loads: number[] = [];
const loadTimer = setInterval(() => loads.push(+loadavg()[0]!.toFixed(2)), 5000);
loadTimer.unref();

const loadRange = () => ({ min: Math.min(...loads), max: Math.max(...loads), samples: loads.length });
const commandLine = () => `node --import tsx bench/services.ts ${process.argv.slice(2).join(' ')}`.trim();

interface GatewayProcess {
  child: ChildProcess;
  /** warnings and errors the gateway logged, counted by message */
  messages: Map<string, number>;
}

function startGateway(databaseUrl: string, port: number, reconciler: boolean): Promise<GatewayProcess> {
  const prof = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...prof, ...nodeArgs('gateway')], {
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), BIND: '127.0.0.1', BERTH_WEB: '0', BERTH_LOG_LEVEL: 'warn',
      BERTH_RECONCILER: reconciler ? '1' : '0', BERTH_RESCHEDULE_AFTER_MS: String(RESCHEDULE_AFTER_MS),
      BERTH_HEARTBEAT_MS: values['heartbeat-ms'], BERTH_OFFLINE_AFTER_MS: values['offline-after-ms'],
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const messages = new Map<string, number>();
  // the first lines go through; then only counted (5,000 replicas can mean 5,000 warnings)
  createInterface({ input: child.stderr! }).on('line', (line) => {
    let key = line.slice(0, 120);
    try {
      const j = JSON.parse(line) as { level?: string; msg?: string; err?: string };
      key = `${j.level}: ${j.msg}${j.err ? ` (${j.err.replace(/sim-\d+/g, 'HOST').replace(/[0-9a-f-]{8,}/g, 'ID').replace(/\d+/g, 'N').slice(0, 100)})` : ''}`;
    } catch {
      // not the logger's JSON: keep the line's start
    }
    const n = (messages.get(key) ?? 0) + 1;
    messages.set(key, n);
    if (n <= 3) log(`gateway: ${line.slice(0, 400)}`);
  });
  return (async () => {
    while (!(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode} at start`);
      await sleep(50);
    }
    return { child, messages };
  })();
}

async function stopGateway(gw: GatewayProcess): Promise<void> {
  const c = gw.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  // --cpu-prof writes its profile on the way out: give it time
  await Promise.race([exited, sleep(values['cpu-prof'] ? 30_000 : 5000)]);
  if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await exited;
}

/** When a count first reached 1, half and all of `total`, in ms from `t0`. */
class Milestones {
  first: number | null = null;
  half: number | null = null;
  all: number | null = null;
  last = 0;
  constructor(private readonly total: number, private readonly t0: number) {}
  see(n: number, at = performance.now()): void {
    this.last = n;
    if (n >= 1 && this.first === null) this.first = at - this.t0;
    if (n >= this.total / 2 && this.half === null) this.half = at - this.t0;
    if (n >= this.total && this.all === null) this.all = at - this.t0;
  }
  get done(): boolean {
    return this.all !== null;
  }
  seconds() {
    return { firstS: s1(this.first), halfS: s1(this.half), allS: s1(this.all), reached: this.last, of: this.total };
  }
}

async function main(): Promise<void> {
  const about = await machine();
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  await chmod(dir, 0o711);
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort(), settings: { max_connections: '200' } });
  let gateway: GatewayProcess | null = null;
  const agents: SimulatedAgent[] = [];
  const gatewayMessages: Record<string, Record<string, number>> = {};
  try {
    const { url, db, token, join } = await seedControlPlane(pg, HOSTS);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    gateway = await startGateway(url, port, true);
    const headers = { authorization: `Bearer ${token}` };
    const get = async <T>(path: string, input: unknown): Promise<T> => {
      const r = await fetch(`${base}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { result: { data: { json: T } } }).result.data.json;
    };
    const post = async <T>(path: string, input: unknown): Promise<T> => {
      const r = await fetch(`${base}/api/trpc/${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { result: { data: { json: T } } }).result.data.json;
    };

    // enroll the fleet, 50 handshakes at a time
    let t0 = performance.now();
    for (let i = 0; i < HOSTS; i++) agents.push(new SimulatedAgent(`sim-${String(i).padStart(4, '0')}`, `ws://127.0.0.1:${port}/agent`, join.token, CONTAINERS, { stateful: true }));
    for (let i = 0; i < HOSTS; i += 50) {
      agents.slice(i, i + 50).forEach((a) => a.connect());
      while (agents.slice(i, i + 50).some((a) => !a.online)) await sleep(5);
    }
    const enrollSeconds = (performance.now() - t0) / 1000;
    log(`${HOSTS} hosts enrolled in ${enrollSeconds.toFixed(1)} s`);
    await sleep(12_000); // every host has sent a couple of heartbeats

    const label = ServiceLabels.serviceId;
    /** running service replicas on these hosts, as their engines hold them */
    const onHosts = (hosts: SimulatedAgent[]) => hosts.reduce((n, a) => n + a.engine!.labelled(label).length, 0);
    /** running service replicas in the hosts' last inventories in Postgres (what the reconciler observes) */
    const inInventories = async (excluding: string[] = []) => Number((await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'containers', '[]'::jsonb)) c
      WHERE (c->'labels') ? ${label} AND c->>'state' = 'running' AND NOT (h.name = ANY(${excluding}::text[]))`)[0]!.n);
    type ServiceRow = { name: string; desired: number | null; running: number };
    /** replica rows desired and running, summed over the services (services.list, as `service ls`) */
    const rowsRunning = async () => (await get<ServiceRow[]>('services.list', {})).reduce((n, s) => n + s.running, 0);

    // 1. converge
    const nServices = SERVICES;
    const services = Array.from({ length: nServices }, (_, i) => ({
      name: `bench-${i}`,
      replicas: Math.floor(REPLICAS / nServices) + (i < REPLICAS % nServices ? 1 : 0),
    }));
    const loadAt = { converge: loadavg()[0]! };
    t0 = performance.now();
    for (const s of services) {
      await post('services.create', { spec: { name: s.name, image: 'registry.bench.invalid/team/app:1', container: { cmd: ['sleep', 'infinity'] }, mode: { mode: 'replicated', replicas: s.replicas } } });
    }
    const createdMs = performance.now() - t0;
    log(`${services.length} services of ${services.map((s) => s.replicas).join(', ')} replicas created in ${createdMs.toFixed(0)} ms`);
    const conv = { hosts: new Milestones(REPLICAS, t0), inventories: new Milestones(REPLICAS, t0), rows: new Milestones(REPLICAS, t0) };
    let lastLog = 0;
    while (!(conv.hosts.done && conv.inventories.done && conv.rows.done) && performance.now() - t0 < TIMEOUT_MS) {
      conv.hosts.see(onHosts(agents));
      conv.inventories.see(await inInventories());
      conv.rows.see(await rowsRunning().catch(() => conv.rows.last));
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`converging, ${((performance.now() - t0) / 1000).toFixed(0)} s: running on hosts ${conv.hosts.last}, in inventories ${conv.inventories.last}, rows ${conv.rows.last} of ${REPLICAS}; load ${loadavg()[0]!.toFixed(1)}`);
      }
      await sleep(250);
    }
    const convergeTimedOut = !conv.rows.done;
    // the spread, from services.get's replicas
    const perHost = new Map<string, number>(agents.map((a) => [a.name, 0]));
    let replicaRows = 0;
    for (const s of services) {
      const got = await get<{ replicas: { host: string; desired: string; state: string }[] }>('services.get', { name: s.name });
      for (const r of got.replicas) {
        if (r.desired !== 'running' || r.state !== 'running') continue;
        replicaRows++;
        perHost.set(r.host, (perHost.get(r.host) ?? 0) + 1);
      }
    }
    const counts = [...perHost.values()];
    const converge = {
      services: services.length,
      replicas: REPLICAS,
      createCallsMs: +createdMs.toFixed(0),
      timedOut: convergeTimedOut,
      runningOnHosts: conv.hosts.seconds(),
      runningInInventories: conv.inventories.seconds(),
      rowsRunning: conv.rows.seconds(),
      servicesGetRunningRows: replicaRows,
      replicasPerHost: { min: Math.min(...counts), max: Math.max(...counts) },
      load1: { atStart: +loadAt.converge.toFixed(2), atEnd: +loadavg()[0]!.toFixed(2) },
    };
    log(`converge: ${JSON.stringify(converge)}`);
    gatewayMessages.converge = Object.fromEntries(gateway.messages);
    gateway.messages.clear();

    if (convergeTimedOut) {
      // the reconciler is still busy: a reschedule or an idle window measured now would measure that
      log(`not converged within ${TIMEOUT_MS / 60_000} min: the reschedule and steady state are not measured`);
      console.log(JSON.stringify({ ...about, command: commandLine(), hosts: HOSTS, otherContainersPerHost: CONTAINERS, enrollSeconds: +enrollSeconds.toFixed(1), converge, load1DuringRun: loadRange(), gatewayWarnings: gatewayMessages }, null, 2));
      await db.$disconnect();
      process.exitCode = 1;
      return;
    }

    // 2. reschedule: hosts holding replicas go away
    const doomed = agents.filter((a) => a.engine!.labelled(label).length > 0).slice(0, OFFLINE);
    const doomedNames = doomed.map((a) => a.name);
    const held = onHosts(doomed);
    const survivors = agents.filter((a) => !doomed.includes(a));
    const before = onHosts(survivors);
    const stopAt = new Date();
    const loadAtStop = loadavg()[0]!;
    t0 = performance.now();
    doomed.forEach((a) => a.stop());
    log(`${doomed.length} hosts stopped, holding ${held} running replicas`);
    const moved = { hosts: new Milestones(held, t0), inventories: new Milestones(held, t0), rows: new Milestones(held, t0) };
    const doomedIds = (await db.host.findMany({ where: { name: { in: doomedNames } }, select: { id: true, lastSeenAt: true } }));
    /** rows desired and running on hosts that are up (services.list would still count the lost hosts' rows until they are moved) */
    const rowsElsewhere = async () => Number((await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM replicas WHERE desired = 'running' AND state = 'running' AND NOT (host_id::text = ANY(${doomedIds.map((h) => h.id)}::text[]))`)[0]!.n);
    lastLog = 0;
    while (!(moved.hosts.done && moved.inventories.done && moved.rows.done) && performance.now() - t0 < TIMEOUT_MS) {
      moved.hosts.see(onHosts(survivors) - before);
      moved.inventories.see((await inInventories(doomedNames)) - before);
      moved.rows.see((await rowsElsewhere()) - before);
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`rescheduling, ${((performance.now() - t0) / 1000).toFixed(0)} s: moved and running on hosts ${moved.hosts.last}, in inventories ${moved.inventories.last}, rows ${moved.rows.last} of ${held}`);
      }
      await sleep(250);
    }
    // when the reconciler acted, and when the grace ended for the host seen last
    const firstMoved = (await db.serviceEvent.findFirst({ where: { kind: 'moved', at: { gte: stopAt } }, orderBy: { at: 'asc' }, select: { at: true } }))?.at ?? null;
    const seen = doomedIds.map((h) => h.lastSeenAt?.getTime() ?? 0);
    // the grace runs from each host's last heartbeat, which came up to BERTH_HEARTBEAT_MS before the stop
    const graceEndsMs = Math.max(...seen) + RESCHEDULE_AFTER_MS - stopAt.getTime();
    const firstGraceEndsMs = Math.min(...seen) + RESCHEDULE_AFTER_MS - stopAt.getTime();
    const servicesListRunning = await rowsRunning();
    const reschedule = {
      hostsStopped: doomed.length,
      replicasHeld: held,
      timedOut: !moved.rows.done,
      rescheduleAfterMs: RESCHEDULE_AFTER_MS,
      graceEndsAfterStopS: { firstHost: s1(firstGraceEndsMs), lastHost: s1(graceEndsMs) },
      firstMovedEventAfterStopS: firstMoved ? s1(firstMoved.getTime() - stopAt.getTime()) : null,
      runningElsewhereOnHosts: moved.hosts.seconds(),
      runningElsewhereInInventories: moved.inventories.seconds(),
      rowsRunningElsewhere: moved.rows.seconds(),
      afterGraceS: moved.rows.all !== null ? s1(moved.rows.all - graceEndsMs) : null,
      servicesListRunningAfter: servicesListRunning,
      load1: { atStart: +loadAtStop.toFixed(2), atEnd: +loadavg()[0]!.toFixed(2) },
    };
    log(`reschedule: ${JSON.stringify(reschedule)}`);
    gatewayMessages.reschedule = Object.fromEntries(gateway.messages);
    gateway.messages.clear();

    // 3. steady state: nothing to do, the reconciler on, then off
    const xacts = async () => Number((await db.$queryRaw<{ n: bigint }[]>`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()`)[0]!.n);
    const idleWindow = async (pid: number) => {
      const l0 = loads.length;
      const [g0, p0, x0] = [await treeCpuSeconds(pid), await treeCpuSeconds(pg.pid), await xacts()];
      const w0 = performance.now();
      await sleep(IDLE_S * 1000);
      const [g1, p1, x1] = [await treeCpuSeconds(pid), await treeCpuSeconds(pg.pid), await xacts()];
      const wall = (performance.now() - w0) / 1000;
      const window = loads.length > l0 ? loads.slice(l0) : [+loadavg()[0]!.toFixed(2)];
      return {
        seconds: +wall.toFixed(1),
        gatewayCpuPercentOfOneCore: +((100 * (g1 - g0)) / wall).toFixed(2),
        postgresCpuPercentOfOneCore: +((100 * (p1 - p0)) / wall).toFixed(2),
        postgresTransactionsPerSecond: +((x1 - x0 - 1) / wall).toFixed(1),
        load1: { min: Math.min(...window), max: Math.max(...window) },
      };
    };
    log(`steady state: settling 20 s, then ${IDLE_S} s with the reconciler on`);
    await sleep(20_000);
    const reconcilerOn = await idleWindow(gateway.child.pid!);
    log(`reconciler on: ${JSON.stringify(reconcilerOn)}`);
    gatewayMessages.idleOn = Object.fromEntries(gateway.messages);
    await stopGateway(gateway);
    gateway = await startGateway(url, port, false);
    const back0 = performance.now();
    while (survivors.some((a) => !a.online) && performance.now() - back0 < 180_000) await sleep(100);
    log(`gateway restarted with BERTH_RECONCILER=0; ${survivors.filter((a) => a.online).length} of ${survivors.length} hosts back in ${((performance.now() - back0) / 1000).toFixed(1)} s; settling 20 s, then ${IDLE_S} s`);
    await sleep(20_000);
    const reconcilerOff = await idleWindow(gateway.child.pid!);
    log(`reconciler off: ${JSON.stringify(reconcilerOff)}`);
    gatewayMessages.idleOff = Object.fromEntries(gateway.messages);

    console.log(JSON.stringify({
      ...about,
      command: commandLine(),
      hosts: HOSTS,
      otherContainersPerHost: CONTAINERS,
      heartbeatMs: Number(values['heartbeat-ms']),
      offlineAfterMs: Number(values['offline-after-ms']),
      enrollSeconds: +enrollSeconds.toFixed(1),
      converge,
      reschedule,
      steadyState: { reconcilerOn, reconcilerOff, reconcilerShareOfOneCorePercent: +(reconcilerOn.gatewayCpuPercentOfOneCore - reconcilerOff.gatewayCpuPercentOfOneCore).toFixed(2) },
      load1DuringRun: loadRange(),
      gatewayWarnings: gatewayMessages,
    }, null, 2));
    await db.$disconnect();
  } finally {
    agents.forEach((a) => a.stop());
    // the gateway first: stopping Postgres under it only fills stderr with connection errors
    if (gateway) await stopGateway(gateway);
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
    clearInterval(loadTimer);
  }
}

await main();
