// The reconciler: makes the fleet match the services' specs, continuously. It runs in one
// process at a time (the gateway holding the leader lease): each pass reads the desired state
// and the hosts' inventories from Postgres, decides per service (decide.ts) and carries the
// actions out through the fleet dispatcher, a bounded number at a time. Its memory is the
// replicas table: a row is written before the agent is asked, so a reconciler that dies
// mid-way finds what it made (by the row's container name) instead of making it twice.
import { randomUUID } from 'node:crypto';
import { db as defaultDb, type Db } from '@berth/db';
import { ServiceLabels, type ServiceSpec } from '@berth/protocol';
import { systemActor } from '../actor.ts';
import { AppError } from '../errors.ts';
import type { FleetDispatcher } from '../fleet/dispatcher.ts';
import { credentialsForImage } from '../registries/credentials.ts';
import { filesForReplica } from '../secrets/service.ts';
import type { SecretBox } from '../registries/secret-box.ts';
import { decideService, isReady, syncSeen, type Decision, type Placer, type ReplicaRow, type ServiceState } from './decide.ts';
import { desiredStateFingerprint, observeHosts, observeReplicas, observeStackNetworks, type ObservedHost, type ObservedReplica } from './observe.ts';
import { recordServiceEvent, rollbackTo } from './service.ts';
import { laterNetworks, replicaContainer, replicaName, stackScoped, templateOf } from './spec.ts';
import { fleetLoad, placerFor } from './placement.ts';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface ReconcilerOptions {
  db?: Db;
  fleet: FleetDispatcher;
  secrets?: SecretBox | null;
  log?: Log;
  /** how often the reconciler looks for changes (a pass runs only when something changed or a timer is due) */
  intervalMs?: number;
  /** a full pass at least this often, whatever the fingerprint says */
  fullPassMs?: number;
  rescheduleAfterMs?: number;
  /** actions (create, start, remove) in flight at once */
  concurrency?: number;
}

const STOP_TIMEOUT_S = 10;

export class Reconciler {
  private readonly db: Db;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastFingerprint = '';
  private lastFullPass = 0;
  private readonly lastBatch = new Map<string, number>();
  /** service/host pairs where a replica recently failed to start: avoided for a while */
  private readonly backoff = new Map<string, { until: number; delay: number; why: string }>();
  /** the last unplaceable explanation per service, so the timeline says it once */
  private readonly lastWhy = new Map<string, string>();
  private wake: (() => void) | null = null;
  private passes = 0;
  /**
   * Actions in flight, by what they belong to (a service's id, a leftover container, a stack
   * network). A pass does not wait for them: a long pull on one host must not hold up every
   * other service. It leaves a service alone while its actions run, and the last one to end
   * asks for a pass.
   */
  private readonly busy = new Map<string, number>();
  private readonly queue: (() => Promise<void>)[] = [];
  private active = 0;
  /** when this process began reconciling: hosts' silence before then is not theirs to answer for */
  private electedAt = Date.now();

  constructor(private readonly o: ReconcilerOptions) {
    this.db = o.db ?? defaultDb();
  }

  get passCount(): number {
    return this.passes;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.electedAt = Date.now();
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Asks for a pass now (a service changed). */
  nudge(): void {
    this.lastFingerprint = '';
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        const fingerprint = await desiredStateFingerprint(this.db);
        const due = Date.now() - this.lastFullPass >= (this.o.fullPassMs ?? 15_000);
        if (fingerprint !== this.lastFingerprint || due || this.timersDue()) {
          await this.pass();
          // the pass's own writes changed the fingerprint: take it after the pass
          this.lastFingerprint = await desiredStateFingerprint(this.db);
          this.lastFullPass = Date.now();
        }
      } catch (err) {
        this.o.log?.('error', 'reconciler pass failed', { err: (err as Error).message });
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.o.intervalMs ?? 1000);
      });
      this.wake = null;
    }
  }

  /** Something is waiting for time to pass: an update's delay or monitor period, a back-off. */
  private pendingTimers = false;
  /** when an offline host's grace period ends (its replicas then move): a pass is due then */
  private nextGraceEnd = Infinity;
  private timersDue(): boolean {
    return this.pendingTimers || Date.now() >= this.nextGraceEnd;
  }

  /** One look at every service, and the actions it needs. */
  async pass(now = Date.now()): Promise<{ created: number; removed: number }> {
    this.passes++;
    const [services, hosts, observed, rows, stackNetworks, stacks] = await Promise.all([
      this.db.service.findMany({ orderBy: { name: 'asc' }, include: { team: { select: { id: true, name: true } } } }),
      observeHosts(this.db),
      observeReplicas(this.db),
      this.db.replica.findMany(),
      observeStackNetworks(this.db),
      this.db.stack.findMany({ select: { name: true } }),
    ]);
    const hostMap = new Map(hosts.map((h) => [h.id, h]));
    const byReplica = new Map<string, ObservedReplica>();
    for (const c of observed) if (c.replicaId) byReplica.set(c.replicaId, c);
    const rowsByService = new Map<string, ReplicaRow[]>();
    for (const r of rows) {
      const list = rowsByService.get(r.serviceId);
      if (list) list.push(r);
      else rowsByService.set(r.serviceId, [r]);
    }
    const known = new Set(rows.map((r) => r.id));
    const serviceIds = new Set(services.map((s) => s.id));
    const actions: { key: string; work: () => Promise<void> }[] = [];
    const newRows: ReturnType<Reconciler['prepareReplica']>['row'][] = [];
    let created = 0;
    let removed = 0;
    this.pendingTimers = false;
    this.nextGraceEnd = Infinity;
    const grace = this.o.rescheduleAfterMs ?? 30_000;
    const holding = new Set(rows.filter((r) => r.desired === 'running').map((r) => r.hostId));
    for (const h of hosts) {
      if (h.status === 'online' || h.status === 'degraded' || !holding.has(h.id)) continue;
      const end = Math.max(h.lastSeenAt?.getTime() ?? 0, this.electedAt) + grace;
      if (end > now) this.nextGraceEnd = Math.min(this.nextGraceEnd, end + 100);
    }

    // containers of services (or replicas) that no longer exist: only ever ones berth labelled
    for (const c of observed) {
      if (serviceIds.has(c.serviceId) && c.replicaId && known.has(c.replicaId)) continue;
      const host = hostMap.get(c.hostId);
      if (host?.status !== 'online' && host?.status !== 'degraded') continue;
      if (this.busy.has(`container:${c.containerId}`)) continue;
      removed++;
      actions.push({ key: `container:${c.containerId}`, work: () => this.removeContainer(c.hostId, c.containerId).catch((err) => this.o.log?.('warn', 'removing a leftover replica failed', { host: host.name, container: c.name, err: (err as Error).message })) });
    }

    // networks of removed stacks, once nothing runs on them (docker stack rm removes them too)
    const liveStacks = new Set(stacks.map((x) => x.name));
    for (const n of stackNetworks) {
      const host = hostMap.get(n.hostId);
      if (liveStacks.has(n.stack) || n.attached > 0 || (host?.status !== 'online' && host?.status !== 'degraded')) continue;
      if (observed.some((c) => c.hostId === n.hostId && !(serviceIds.has(c.serviceId) && c.replicaId && known.has(c.replicaId)))) continue; // its replicas are still being removed
      const key = `network:${n.hostId}:${n.name}`;
      if (this.busy.has(key)) continue;
      actions.push({ key, work: () => this.o.fleet.request(n.hostId, 'network.remove', { network: n.name }).then(
        () => undefined,
        (err: unknown) => this.o.log?.('warn', 'removing a stack network failed', { host: host.name, network: n.name, err: (err as Error).message }),
      ) });
    }

    // readiness of each service, for depends_on
    const readyServices = new Set<string>();
    const healthyServices = new Set<string>();
    for (const s of services) {
      const spec = s.spec as ServiceSpec;
      const mine = (rowsByService.get(s.id) ?? []).filter((r) => r.desired === 'running');
      if (mine.some((r) => byReplica.get(r.id)?.state === 'running')) readyServices.add(stackScoped(s.stack, spec.name));
      if (mine.some((r) => isReady(byReplica.get(r.id)))) healthyServices.add(stackScoped(s.stack, spec.name));
    }

    const liveRows = rows.filter((r) => r.desired === 'running');
    const load = fleetLoad(services.map((x) => ({ id: x.id, spec: x.spec as ServiceSpec })), liveRows);
    for (const s of services) {
      // its actions still run: decided again once they end (they ask for a pass)
      if (this.busy.has(s.id)) {
        this.pendingTimers = true;
        await syncReplicas(this.db, syncSeen(rowsByService.get(s.id) ?? [], byReplica, now)).catch(() => {});
        continue;
      }
      const spec = s.spec as ServiceSpec;
      const state: ServiceState = {
        id: s.id, name: s.name, stack: s.stack, team: s.team, version: s.version, spec, template: templateOf(spec),
        updateState: s.updateState, updateFailures: s.updateFailures, lastBatchAt: this.lastBatch.get(s.id) ?? 0,
      };
      const deps = spec.dependsOn.every((dep) => (dep.condition === 'service_healthy' ? healthyServices : readyServices).has(stackScoped(s.stack, dep.service)));
      let d: Decision;
      try {
        const placer: Placer = placerFor(spec, s.team, hosts, load, liveRows.filter((r) => r.serviceId === s.id), (hostId) => this.avoid(s.id, hostId, now));
        d = decideService(state, rowsByService.get(s.id) ?? [], byReplica, hostMap, placer, deps, { now, rescheduleAfterMs: grace, createGraceMs: 10_000, historyPerSlot: 2, watchingSince: this.electedAt });
      } catch (err) {
        // one service's bad spec (a constraint stored by an older version) must not stop the others
        const message = `cannot reconcile: ${(err as Error).message}`;
        if (this.lastWhy.get(s.id) !== message) await recordServiceEvent(this.db, s.id, 'error', message);
        this.lastWhy.set(s.id, message);
        continue;
      }
      await this.record(state, d, now);
      if (d.rollback) continue;
      for (const r of d.remove) {
        removed++;
        actions.push({ key: s.id, work: () => this.removeReplica(state, r.replica, r.deleteRow, hostMap) });
      }
      for (const c of d.create) {
        created++;
        const made = this.prepareReplica(state, c.slot, c.hostId, hostMap);
        newRows.push(made.row);
        actions.push({ key: s.id, work: made.work });
      }
      if (d.create.length || d.remove.length || (s.updateState && !['completed', 'rollback_completed'].includes(s.updateState))) this.pendingTimers = true;
    }
    // the new replicas' rows in one statement, before any agent is asked (the reconciler's memory)
    if (newRows.length) await this.db.replica.createMany({ data: newRows });
    for (const a of actions) this.dispatch(a.key, a.work);
    return { created, removed };
  }

  /** Runs `work` when a lane is free (at most `concurrency` at once, across passes). */
  private dispatch(key: string, work: () => Promise<void>): void {
    this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
    this.queue.push(async () => {
      try {
        await work();
      } catch {
        // each action logs its own failure
      } finally {
        const left = (this.busy.get(key) ?? 1) - 1;
        if (left > 0) this.busy.set(key, left);
        else {
          this.busy.delete(key);
          this.nudge();
        }
      }
    });
    this.pump();
  }

  private pump(): void {
    while (this.active < (this.o.concurrency ?? 32) && this.queue.length) {
      const job = this.queue.shift()!;
      this.active++;
      void job().finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  /** Actions queued or running (for tests and benchmarks). */
  get inFlight(): number {
    return this.active + this.queue.length;
  }

  /** Writes what the decision observed and decided about the service itself. */
  private async record(svc: ServiceState, d: Decision, now: number): Promise<void> {
    await syncReplicas(this.db, d.sync).catch((err: Error) => this.o.log?.('warn', 'recording replica states failed', { service: svc.name, err: err.message }));
    const events = d.events.filter((e) => e.kind !== 'waiting' || this.lastWhy.get(svc.id) !== e.message);
    for (const e of events) if (e.kind === 'waiting') this.lastWhy.set(svc.id, e.message);
    // the pass's timeline entries for this service in one statement
    if (events.length) await this.db.serviceEvent.createMany({ data: events.map((e) => ({ serviceId: svc.id, kind: e.kind, message: e.message, hostId: e.hostId ?? null })) });
    if (d.unplaced && this.lastWhy.get(svc.id) !== d.unplaced) {
      this.lastWhy.set(svc.id, d.unplaced);
      await recordServiceEvent(this.db, svc.id, 'unplaced', d.unplaced);
    } else if (!d.unplaced && !d.events.some((e) => e.kind === 'waiting')) {
      this.lastWhy.delete(svc.id);
    }
    if (d.updateFailures) await this.db.service.update({ where: { id: svc.id }, data: { updateFailures: { increment: d.updateFailures } } });
    if (d.batchStarted) this.lastBatch.set(svc.id, now);
    if (d.rollback) {
      await this.db.$transaction(async (tx) => {
        const row = await tx.service.findUnique({ where: { id: svc.id } });
        if (!row || row.version !== svc.version) return;
        await rollbackTo(tx, row, d.rollback!, systemActor('reconciler'));
      });
      this.o.log?.('warn', 'update failed: rolling back', { service: svc.name, why: d.rollback });
      return;
    }
    if (d.updateState) {
      const { state, reason } = d.updateState;
      await this.db.service.updateMany({ where: { id: svc.id, version: svc.version }, data: { updateState: state, ...(state === 'rollback_completed' && reason === null ? {} : { updateReason: reason }), ...(state === 'updating' ? { updateStartedAt: new Date(now) } : {}) } });
      const words: Record<string, string> = { updating: `rolling out version ${svc.version}`, completed: `version ${svc.version} rolled out`, rollback_completed: `rollback to the earlier spec done (version ${svc.version})`, paused: `update paused: ${reason}`, rollback_paused: `rollback paused: ${reason}` };
      await recordServiceEvent(this.db, svc.id, 'update', words[state ?? ''] ?? `update ${state}`);
    }
  }

  private avoid(serviceId: string, hostId: string, now: number): string | null {
    const b = this.backoff.get(`${serviceId}/${hostId}`);
    return b && b.until > now ? b.why : null;
  }

  /** The replica's row (written by the pass before any agent is asked) and the work of making it. */
  private prepareReplica(svc: ServiceState, slot: number, hostId: string, hosts: Map<string, ObservedHost>) {
    const id = randomUUID();
    const host = hosts.get(hostId)!;
    const containerName = replicaName(svc.name, slot, host.name, id);
    const row = { id, serviceId: svc.id, slot, hostId, template: svc.template, version: svc.version, containerName, state: 'new' };
    const work = async () => {
      try {
        const containerId = await this.createReplica(svc, { id, slot, containerName }, hostId);
        await this.db.replica.update({ where: { id }, data: { containerId, state: 'starting' } }).catch(() => {});
        await recordServiceEvent(this.db, svc.id, 'started', `${containerName} started on ${host.name}`, hostId);
        this.backoff.delete(`${svc.id}/${hostId}`);
      } catch (err) {
        const message = (err as Error).message;
        this.o.log?.('warn', 'a replica failed to start', { service: svc.name, host: host.name, err: message });
        await this.db.replica.update({ where: { id }, data: { state: 'failed', error: message, desired: 'history' } }).catch(() => {});
        await recordServiceEvent(this.db, svc.id, 'failed', `${containerName} could not start on ${host.name}: ${message}`, hostId);
        if (svc.updateState === 'updating' || svc.updateState === 'rollback_started') await this.db.service.update({ where: { id: svc.id }, data: { updateFailures: { increment: 1 } } }).catch(() => {});
        const prev = this.backoff.get(`${svc.id}/${hostId}`)?.delay ?? 2_000;
        const delay = Math.min(prev * 2, 60_000);
        this.backoff.set(`${svc.id}/${hostId}`, { until: Date.now() + delay, delay, why: `a replica failed there ${Math.round(delay / 1000)} s ago: ${message}` });
      }
    };
    return { row, work };
  }

  private async createReplica(svc: ServiceState, r: { id: string; slot: number; containerName: string }, hostId: string): Promise<string> {
    const spec = svc.spec;
    if (svc.stack) await this.ensureNetworks(svc.stack, spec, hostId);
    const files = await filesForReplica(spec, svc.team.id, this.o.secrets ?? null, this.db);
    const create = { ...replicaContainer(spec, { serviceId: svc.id, serviceName: svc.name, stack: svc.stack, replicaId: r.id, slot: r.slot, version: svc.version, containerName: r.containerName }), files };
    const opts = { timeoutMs: 60_000, sensitive: files.length > 0 };
    let made: { id: string; files?: number | undefined };
    try {
      made = await this.o.fleet.request(hostId, 'container.create', create, opts);
      if (files.length && made.files !== files.length) {
        // an agent older than protocol 1.4 made it without them: a replica must not run so
        await this.removeContainer(hostId, made.id).catch(() => {});
        throw new AppError('INVALID', `the agent does not mount secrets and configs (protocol 1.4): upgrade it`);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'CONFLICT' && /already in use|exists/i.test(err.message)) {
        // made by an earlier pass that died before it could note it: adopt it
        made = { id: r.containerName };
      } else if (err instanceof AppError && err.code === 'NOT_FOUND' && /image/i.test(err.message)) {
        await this.pull(hostId, spec.image);
        made = await this.o.fleet.request(hostId, 'container.create', create, opts);
      } else {
        throw err;
      }
    }
    for (const network of laterNetworks(spec, svc.stack)) {
      await this.o.fleet.request(hostId, 'network.connect', { network, container: made.id, aliases: [spec.name] });
    }
    await this.o.fleet.request(hostId, 'container.start', { id: made.id }, { timeoutMs: 60_000 });
    return made.id;
  }

  /** The stack's networks on the host, made the first time one of its replicas lands there. */
  private async ensureNetworks(stack: string, spec: ServiceSpec, hostId: string): Promise<void> {
    if (!spec.networks.length) return;
    const row = await this.db.stack.findUnique({ where: { name: stack } });
    const declared = (row?.networks ?? []) as { name: string; internal?: boolean; external?: boolean; subnet?: string; labels?: Record<string, string> }[];
    for (const name of spec.networks) {
      const n = declared.find((x) => x.name === name);
      if (n?.external) continue;
      try {
        await this.o.fleet.request(hostId, 'network.create', {
          name: stackScoped(stack, name),
          internal: n?.internal ?? false,
          labels: { ...(n?.labels ?? {}), [ServiceLabels.stack]: stack, [ServiceLabels.stackNetwork]: name },
          // a subnet names one network on one host; on several hosts each picks its own
          ...(n?.subnet ? { subnet: n.subnet } : {}),
        });
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      }
    }
  }

  private async pull(hostId: string, ref: string): Promise<void> {
    const auth = await credentialsForImage(ref, this.o.secrets ?? null, this.db);
    if (!this.o.fleet.isConnected(hostId)) {
      // held by another gateway: a plain request through the outbox, which that gateway
      // delivers (the credentials sealed while they wait); no progress, nobody watches it
      await this.o.fleet.request(hostId, 'image.pull', { ref, ...(auth ? { auth } : {}) }, { timeoutMs: 30 * 60_000, sensitive: !!auth });
      return;
    }
    const { stream, result } = this.o.fleet.openStream(hostId, 'image.pull', { ref, ...(auth ? { auth } : {}) }, { timeoutMs: 30 * 60_000 });
    // progress is for people watching; the reconciler only needs the end
    void (async () => {
      for await (const _ of stream) { /* drained */ }
    })().catch(() => {});
    await result;
  }

  private async removeReplica(svc: ServiceState, r: ReplicaRow, deleteRow: boolean, hosts: Map<string, ObservedHost>): Promise<void> {
    const host = hosts.get(r.hostId);
    const reachable = host && (host.status === 'online' || host.status === 'degraded');
    try {
      if (reachable) await this.removeContainer(r.hostId, r.containerId ?? r.containerName);
      if (deleteRow && (reachable || !host)) await this.db.replica.delete({ where: { id: r.id } }).catch(() => {});
      if (reachable && !['gone', 'history', 'duplicate'].includes(r.state)) await recordServiceEvent(this.db, svc.id, 'removed', `${r.containerName} removed from ${host.name}`, r.hostId);
    } catch (err) {
      this.o.log?.('warn', 'removing a replica failed', { service: svc.name, container: r.containerName, err: (err as Error).message });
    }
  }

  /** docker stop (SIGTERM, then SIGKILL after 10 s) and rm; a container already gone is fine. */
  private async removeContainer(hostId: string, id: string): Promise<void> {
    try {
      await this.o.fleet.request(hostId, 'container.stop', { id, timeout: STOP_TIMEOUT_S }, { timeoutMs: (STOP_TIMEOUT_S + 20) * 1000 }).catch((err: unknown) => {
        // stopped already, or paused: the forced remove below deals with it
        if (!(err instanceof AppError && (err.code === 'CONFLICT' || err.code === 'INVALID'))) throw err;
      });
      await this.o.fleet.request(hostId, 'container.remove', { id, force: true, volumes: false });
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') return;
      throw err;
    }
  }
}

/** Runs the thunks, at most `limit` at once. */

/**
 * What a pass observed of a service's replicas, in one statement however many there are (at
 * 5,000 replicas, one UPDATE each kept `service ls` seconds behind the hosts). A field left
 * out of a sync keeps its value.
 */
async function syncReplicas(db: Db, syncs: Decision['sync']): Promise<void> {
  if (!syncs.length) return;
  const col = <T>(f: (s: Decision['sync'][number]) => T) => syncs.map(f);
  await db.$executeRaw`
    UPDATE replicas r SET
      state = v.state,
      ready_at = CASE WHEN v.set_ready THEN v.ready_at ELSE r.ready_at END,
      container_id = CASE WHEN v.set_container THEN v.container_id ELSE r.container_id END,
      desired = COALESCE(v.desired, r.desired),
      updated_at = now()
    FROM unnest(
      ${col((s) => s.id)}::uuid[], ${col((s) => s.state)}::text[],
      ${col((s) => s.readyAt !== undefined)}::boolean[], ${col((s) => s.readyAt ?? null)}::timestamptz[],
      ${col((s) => s.containerId !== undefined)}::boolean[], ${col((s) => s.containerId ?? null)}::text[],
      ${col((s) => s.desired ?? null)}::text[]
    ) AS v(id, state, set_ready, ready_at, set_container, container_id, desired)
    WHERE r.id = v.id`;
}
