/**
 * Scheduler benchmark (issue 8): the scheduler's decision alone (packages/core/src/scheduler,
 * pure, no database), on a simulated fleet:
 *
 * - schedule: a new service of R replicas over H online hosts in 5 zones, spread over the zones
 *   (`spread: node.labels.zone`), each replica reserving 0.1 CPU and 64 MiB, hosts already
 *   holding other services' reservations and containers;
 * - steady: the same service again with all R replicas in place (the reconciler's pass over a
 *   converged service: the decision must be "nothing to do");
 * - reschedule: K of the hosts go offline: their replicas, and only theirs, move;
 * - binpack and global: the same fleet with strategy binpack, and a global service (one per host).
 *
 * Each is run `--samples` times after two warm-up runs; p50/p90/min/max in ms. The decisions are
 * checked (every replica placed, nothing moved when steady, only the offline hosts' replicas
 * moved) so that a fast wrong answer fails instead of being reported.
 *
 *   node --import tsx bench/scheduler.ts [--hosts 1000] [--replicas 5000] [--offline 10] [--samples 20]
 */
import { parseArgs } from 'node:util';
import { placeService, type CurrentReplica, type PlacementDecision, type SchedulableHost, type ServicePlacement } from '@berth/core/scheduler/index';
import { log, machine, stats } from './common.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '5000' },
    offline: { type: 'string', default: '10' },
    samples: { type: 'string', default: '20' },
  },
});
const HOSTS = Number(values.hosts);
const REPLICAS = Number(values.replicas);
const OFFLINE = Number(values.offline);
const SAMPLES = Number(values.samples);
for (const [flag, n] of [['--hosts', HOSTS], ['--replicas', REPLICAS], ['--offline', OFFLINE], ['--samples', SAMPLES]] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
}
if (OFFLINE >= HOSTS) throw new Error('--offline must be fewer than --hosts');

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const fleet: SchedulableHost[] = Array.from({ length: HOSTS }, (_, i) => ({
  id: `host-${String(i).padStart(5, '0')}`,
  name: `h${String(i).padStart(5, '0')}`,
  status: 'online',
  labels: { zone: `z${i % 5}`, rack: `r${i % 40}` },
  facts: { os: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', cpus: 16, memoryBytes: 64 * GiB },
  reserved: { cpus: (i % 8) * 0.5, memoryBytes: (i % 8) * 2 * GiB },
  containers: (i * 7) % 50,
}));

const spec = (over: Partial<ServicePlacement['placement']> = {}, mode: ServicePlacement['mode'] = { mode: 'replicated', replicas: REPLICAS }): ServicePlacement => ({
  mode,
  placement: { constraints: ['node.platform.os == linux'], preferences: [{ spread: 'node.labels.zone' }], strategy: 'spread', ...over },
  reservations: { cpus: 0.1, memoryBytes: 64 * MiB },
});

const asReplicas = (d: PlacementDecision): CurrentReplica[] => [
  ...d.keep.map((r) => ({ id: r.id, slot: r.slot, hostId: r.hostId, running: true })),
  ...d.place.map((p) => ({ id: `r${p.slot}`, slot: p.slot, hostId: p.hostId, running: true })),
];

function measure(name: string, run: () => PlacementDecision, check: (d: PlacementDecision) => void): ReturnType<typeof stats> {
  check(run());
  run();
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    const d = run();
    ms.push(performance.now() - start);
    if (i === 0) check(d);
  }
  const s = stats(ms);
  log(name, JSON.stringify(s));
  return s;
}

function expectThat(ok: boolean, what: string): void {
  if (!ok) throw new Error(`wrong decision: ${what}`);
}

const service = spec();
const first = placeService(service, fleet, []);
const current = asReplicas(first);
const down = new Set(fleet.slice(0, OFFLINE).map((h) => h.id));
const later = fleet.map((h) => (down.has(h.id) ? { ...h, status: 'offline' } : h));
const onDown = current.filter((r) => down.has(r.hostId)).length;

const schedule = measure('schedule', () => placeService(service, fleet, []), (d) => {
  expectThat(d.place.length === REPLICAS && d.unplaced === null, `${d.place.length} of ${REPLICAS} placed`);
});
const steady = measure('steady', () => placeService(service, fleet, current), (d) => {
  expectThat(d.keep.length === REPLICAS && d.place.length === 0 && d.remove.length === 0, 'a converged service changed');
});
const reschedule = measure('reschedule', () => placeService(service, later, current), (d) => {
  expectThat(d.remove.length === onDown && d.remove.every((r) => down.has(r.hostId)), 'removed other replicas than the offline hosts’');
  expectThat(d.place.length === onDown && d.place.every((p) => !down.has(p.hostId)), 'did not replace every moved replica on an online host');
  expectThat(d.keep.length === REPLICAS - onDown, 'moved replicas of online hosts');
});
const binpack = measure('binpack', () => placeService(spec({ strategy: 'binpack', preferences: [] }), fleet, []), (d) => {
  expectThat(d.place.length === REPLICAS, `binpack placed ${d.place.length} of ${REPLICAS}`);
});
const global = measure('global', () => placeService(spec({ preferences: [] }, { mode: 'global' }), fleet, []), (d) => {
  expectThat(d.place.length === HOSTS, `global placed ${d.place.length} of ${HOSTS}`);
});

console.log(
  JSON.stringify(
    {
      machine: await machine(),
      fleet: { hosts: HOSTS, zones: 5, replicas: REPLICAS, reservation: { cpus: 0.1, memoryMiB: 64 }, offlineHosts: OFFLINE, replicasOnOfflineHosts: onDown },
      samples: SAMPLES,
      ms: { schedule, steady, reschedule, binpack, global },
    },
    null,
    2,
  ),
);
