// A service's `deploy`: mode and replicas, labels, resources, restart policy, placement and
// update settings, as Swarm reads them.
import { asBytes, asDurationMs, asListOrDict, asMap, asNumber, asSeq, asString, child, type Ctx, isNull, readKeys } from './context.ts';
import * as K from './keys.ts';
import type { Origins, ServiceSpecInput } from './service-context.ts';
import type { Entry, Val } from './tree.ts';

export function readDeploy(ctx: Ctx, e: Entry, path: string, spec: ServiceSpecInput, serviceKeys: Map<string, Entry>, servicePath: string, origins: Origins): void {
  if (isNull(e.value)) return;
  const m = asMap(ctx, e.value, path);
  if (!m) return;
  const keys = readKeys(ctx, m, path, K.DEPLOY, 'deploy');
  const c = spec.container;
  const get = (k: string) => {
    const x = keys.get(k);
    return x && !isNull(x.value) ? x : undefined;
  };
  const p = (k: string) => child(path, k);

  const modeEntry = get('mode');
  const mode = modeEntry ? asString(ctx, modeEntry.value, p('mode')) : 'replicated';
  if (mode !== undefined && mode !== 'replicated' && mode !== 'global') {
    ctx.fail(modeEntry, p('mode'), `${JSON.stringify(mode)} is not supported: use replicated or global (berth has no jobs)`);
  }
  const replicasEntry = get('replicas');
  const replicas = replicasEntry ? asNumber(ctx, replicasEntry.value, p('replicas'), { integer: true, min: 0 }) : undefined;
  if (mode === 'global') {
    if (replicasEntry) ctx.fail(replicasEntry, p('replicas'), 'replicas can only be used with replicated mode');
    if (serviceKeys.has('scale')) ctx.fail(serviceKeys.get('scale'), child(servicePath, 'scale'), 'scale can only be used with replicated mode');
    spec.mode = { mode: 'global' };
    origins.set('mode', modeEntry as Entry, p('mode'));
  } else if (replicas !== undefined) {
    const scale = spec.mode?.mode === 'replicated' ? spec.mode.replicas : undefined;
    if (scale !== undefined && scale !== replicas) ctx.fail(replicasEntry, p('replicas'), `deploy.replicas (${replicas}) and scale (${scale}) differ: keep one of them`);
    spec.mode = { mode: 'replicated', replicas };
    origins.set('mode', replicasEntry as Entry, p('replicas'));
  }

  const labels = get('labels');
  if (labels) {
    spec.labels = {};
    for (const l of asListOrDict(ctx, labels.value, p('labels')) ?? []) spec.labels[l.key] = l.value ?? '';
    origins.set('labels', labels, p('labels'));
  }

  const resources = get('resources');
  const rm = resources ? asMap(ctx, resources.value, p('resources')) : undefined;
  if (rm) {
    const rk = readKeys(ctx, rm, p('resources'), K.RESOURCES, 'resources');
    const rp = p('resources');
    const limits = rk.get('limits');
    const lm = limits ? asMap(ctx, limits.value, child(rp, 'limits')) : undefined;
    if (lm) {
      const lp = child(rp, 'limits');
      const lk = readKeys(ctx, lm, lp, K.LIMITS, 'limits');
      const overridden = (serviceKey: string) => {
        if (serviceKeys.has(serviceKey)) ctx.ignore(serviceKeys.get(serviceKey), child(servicePath, serviceKey), `deploy.resources.limits takes precedence over ${serviceKey}`);
      };
      const cpus = lk.get('cpus');
      if (cpus) {
        const n = asNumber(ctx, cpus.value, child(lp, 'cpus'), { min: 0 });
        overridden('cpus');
        if (n !== undefined && n > 0) c.cpus = n;
        else delete c.cpus;
      }
      const memory = lk.get('memory');
      if (memory) {
        overridden('mem_limit');
        const n = asBytes(ctx, memory.value, child(lp, 'memory'));
        if (n !== undefined && n > 0) c.memory = n;
        else if (n !== undefined) delete c.memory;
      }
      const pids = lk.get('pids');
      if (pids) {
        const n = asNumber(ctx, pids.value, child(lp, 'pids'), { integer: true, min: -1 });
        overridden('pids_limit');
        if (n !== undefined && n !== 0) c.pidsLimit = n;
      }
    }
    const reservations = rk.get('reservations');
    const resm = reservations ? asMap(ctx, reservations.value, child(rp, 'reservations')) : undefined;
    if (resm) {
      const resp = child(rp, 'reservations');
      const resk = readKeys(ctx, resm, resp, K.RESERVATIONS, 'reservations');
      const r: { memoryBytes?: number; cpus?: number } = {};
      const cpus = resk.get('cpus');
      if (cpus) {
        const n = asNumber(ctx, cpus.value, child(resp, 'cpus'), { min: 0 });
        if (n !== undefined) r.cpus = n;
      }
      const memory = resk.get('memory');
      const bytes = memory ? asBytes(ctx, memory.value, child(resp, 'memory')) : undefined;
      if (bytes !== undefined) r.memoryBytes = bytes;
      spec.reservations = r;
    }
  }

  const restart = get('restart_policy');
  const restartMap = restart ? asMap(ctx, restart.value, p('restart_policy')) : undefined;
  if (restartMap) {
    const rp = p('restart_policy');
    const rk = readKeys(ctx, restartMap, rp, K.RESTART_POLICY, 'restart_policy');
    const cond = rk.get('condition');
    const text = cond ? asString(ctx, cond.value, child(rp, 'condition')) : 'any';
    const names = { none: 'no', 'on-failure': 'on-failure', any: 'always' } as const;
    const attempts = rk.get('max_attempts');
    const max = attempts ? asNumber(ctx, attempts.value, child(rp, 'max_attempts'), { integer: true, min: 0 }) : undefined;
    if (text !== undefined && !(text in names)) {
      ctx.fail(cond?.value, child(rp, 'condition'), `${JSON.stringify(text)} is not a restart condition: use none, on-failure or any`);
    } else if (text !== undefined) {
      const name = names[text as keyof typeof names];
      if (max !== undefined && name !== 'on-failure') ctx.ignore(attempts, child(rp, 'max_attempts'), 'berth counts restart attempts only with condition: on-failure');
      c.restartPolicy = { name, maximumRetryCount: name === 'on-failure' ? (max ?? 0) : 0 };
      if (serviceKeys.has('restart')) ctx.ignore(serviceKeys.get('restart'), child(servicePath, 'restart'), 'deploy.restart_policy takes precedence, as in docker stack deploy');
    }
  }

  const placement = get('placement');
  const pm = placement ? asMap(ctx, placement.value, p('placement')) : undefined;
  if (pm) readPlacement(ctx, pm, p('placement'), spec, origins);

  const update = get('update_config');
  const um = update ? asMap(ctx, update.value, p('update_config')) : undefined;
  if (um) {
    const up = p('update_config');
    const uk = readKeys(ctx, um, up, K.UPDATE_CONFIG, 'update_config');
    const u: NonNullable<ServiceSpecInput['update']> = {};
    const n = (k: string, opts: Parameters<typeof asNumber>[3]) => {
      const x = uk.get(k);
      return x && !isNull(x.value) ? asNumber(ctx, x.value, child(up, k), opts) : undefined;
    };
    const d = (k: string) => {
      const x = uk.get(k);
      return x && !isNull(x.value) ? asDurationMs(ctx, x.value, child(up, k)) : undefined;
    };
    const s = (k: string, allowed: string[]) => {
      const x = uk.get(k);
      const text = x && !isNull(x.value) ? asString(ctx, x.value, child(up, k)) : undefined;
      if (text !== undefined && !allowed.includes(text)) return ctx.fail(x?.value, child(up, k), `${JSON.stringify(text)} is not one of ${allowed.join(', ')}`);
      return text;
    };
    const parallelism = n('parallelism', { integer: true, min: 0 });
    if (parallelism !== undefined) u.parallelism = parallelism;
    const delay = d('delay');
    if (delay !== undefined) u.delayMs = delay;
    const order = s('order', ['stop-first', 'start-first']);
    if (order !== undefined) u.order = order as 'stop-first';
    const failure = s('failure_action', ['pause', 'rollback', 'continue']);
    if (failure !== undefined) u.failureAction = failure as 'pause';
    const monitor = d('monitor');
    if (monitor !== undefined) u.monitorMs = monitor;
    const ratio = n('max_failure_ratio', { min: 0, max: 1 });
    if (ratio !== undefined) u.maxFailureRatio = ratio;
    spec.update = u;
    origins.set('update', update as Entry, p('update_config'));
  }
}

/** Swarm's constraint attributes berth can check; the others are ignored with a reason. */
const CONSTRAINT = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=)\s*(.+?)\s*$/;
const CONSTRAINT_ATTRIBUTES = /^node\.(id|hostname|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)$/;

function readPlacement(ctx: Ctx, m: Val & { kind: 'map' }, path: string, spec: ServiceSpecInput, origins: Origins): void {
  const keys = readKeys(ctx, m, path, K.PLACEMENT, 'placement');
  const placement: NonNullable<ServiceSpecInput['placement']> = {};
  const constraints = keys.get('constraints');
  if (constraints && !isNull(constraints.value)) {
    placement.constraints = [];
    const cp = child(path, 'constraints');
    asSeq(ctx, constraints.value, cp)?.items.forEach((item, i) => {
      const s = asString(ctx, item, child(cp, i));
      if (s === undefined) return;
      const c = CONSTRAINT.exec(s);
      if (!c) return void ctx.fail(item, child(cp, i), `${JSON.stringify(s)} is not a constraint: write ATTRIBUTE == VALUE or ATTRIBUTE != VALUE, e.g. node.labels.zone == east`);
      if (!CONSTRAINT_ATTRIBUTES.test(c[1] as string)) {
        return void ctx.ignore(item, child(cp, i), `berth cannot check ${c[1]}: it knows node.id, node.hostname, node.labels.KEY, node.platform.os and node.platform.arch`);
      }
      placement.constraints?.push(`${c[1]} ${c[2]} ${c[3]}`);
    });
    origins.set('placement.constraints', constraints, child(path, 'constraints'));
  }
  const preferences = keys.get('preferences');
  if (preferences && !isNull(preferences.value)) {
    placement.preferences = [];
    const pp = child(path, 'preferences');
    asSeq(ctx, preferences.value, pp)?.items.forEach((item, i) => {
      const im = asMap(ctx, item, child(pp, i));
      if (!im) return;
      const spread = readKeys(ctx, im, child(pp, i), K.PREFERENCE, 'a placement preference').get('spread');
      if (!spread) return void ctx.fail(item, child(pp, i), 'a placement preference is spread: LABEL');
      const s = asString(ctx, spread.value, child(child(pp, i), 'spread'));
      if (s !== undefined) placement.preferences?.push({ spread: s });
    });
    origins.set('placement.preferences', preferences, child(path, 'preferences'));
  }
  const max = keys.get('max_replicas_per_node');
  if (max && !isNull(max.value)) {
    const n = asNumber(ctx, max.value, child(path, 'max_replicas_per_node'), { integer: true, min: 0 });
    // 0 is Swarm's "no limit"
    if (n !== undefined && n > 0) placement.maxReplicasPerHost = n;
  }
  spec.placement = placement;
}
