/**
 * Dashboard benchmark (issue 7): the fleet's containers page with 1,000 hosts and 50,000
 * containers in the database, measured in Debian's chromium against the production build.
 *
 * The hosts are rows with stored inventories (seeded straight into Postgres, as an agent's
 * report would leave them; no agent runs), 1 % of them offline. The control plane is the real
 * gateway serving the `next build` output (BERTH_WEB=1, production mode), as `./berth up` runs it.
 * Measured:
 *
 * - **first load** of /containers, in a fresh browser context (nothing cached) and again in a warm
 *   one: from navigation start to the first table row in the DOM, and to "interactive" (the frame
 *   after that painted and a task run after it: the page answers input from then on);
 * - **filter change** on a loaded page: a state box ticked (click → the rows for the new view
 *   painted; the rows out of view take it a frame later, and are timed apart as the whole table), and a search typed (the input event → rows painted, which includes the 200 ms
 *   typing pause, and separately from the URL's update at the end of the pause → rows painted);
 *   every view asked for once, so no answer comes from the browser's query cache;
 * - the JavaScript the first page loads: each script's bytes on the wire and gzip'd;
 * - containers.search in-process (the SQL and the row parsing, no HTTP), and EXPLAIN ANALYZE of
 *   its statement for the first page and a filtered page.
 *
 * The old path (containers.list, every host asked live) cannot be measured here without agents:
 * bench/fleet.ts measures it against 1,000 simulated hosts.
 *
 *   node --import tsx bench/web-containers.ts [--hosts 1000] [--containers 50] [--runs 20] [--no-build] [--profile FILE.cpuprofile] [--trace FILE.json] [--gateway-profile DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { searchContainers } from '@berth/core';
import { Prisma, startEmbeddedPostgres } from '@berth/db';
import { freePort } from '@berth/testing/registry';
import { nodeArgs, repoRoot } from '@berth/testing/fleet';
import { log, machine, pct, runCommand, seedControlPlane, sleep } from './common.ts';
import { simulatedContainers } from './fleet-sim.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    containers: { type: 'string', default: '50' },
    runs: { type: 'string', default: '20' },
    /** use the existing apps/web/.next build */
    'no-build': { type: 'boolean', default: false },
    /** a file: the browser's CPU profile of one state filter change is written there (.cpuprofile) */
    profile: { type: 'string' },
    /** a file: chromium's timeline trace of one state filter change (.json, for chrome://tracing or DevTools) */
    trace: { type: 'string' },
    /** a directory: the gateway runs with --cpu-prof and writes its CPU profile there when it stops */
    'gateway-profile': { type: 'string' },
  },
});
const HOSTS = Number(values.hosts);
const CONTAINERS = Number(values.containers);
const RUNS = Number(values.runs);

/** The pause between the page turning interactive and the filter change. */
const SETTLE_MS = 1_000;

/** The compose services of the simulated containers (bench/fleet-sim.ts), for texts that match. */
const SERVICES = ['nginx', 'postgres', 'redis', 'api', 'worker', 'node-exporter', 'promtail', 'traefik'];

const summary = (xs: number[]) => ({ n: xs.length, p50: +pct(xs, 50).toFixed(1), p95: +pct(xs, 95).toFixed(1), min: +Math.min(...xs).toFixed(1), max: +Math.max(...xs).toFixed(1) });

const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
};

/**
 * In the page from its first script: the time the first container row enters the DOM (the table
 * marks rows of a settled view with data-view), then the end of the next frame plus one task.
 * history.pushState/replaceState are timed too: the moment the table writes a view to the URL.
 */
const PROBE = `(() => {
  const b = (window.__bench = { rows: 0, interactive: 0, lastHistory: 0 });
  for (const m of ['pushState', 'replaceState']) {
    const orig = history[m].bind(history);
    history[m] = (...a) => { b.lastHistory = performance.now(); return orig(...a); };
  }
  const seen = () => document.querySelector('section[aria-label="Containers"][data-view] tbody tr[data-row]');
  const obs = new MutationObserver(() => {
    if (b.rows || !seen()) return;
    b.rows = performance.now();
    obs.disconnect();
    requestAnimationFrame(() => setTimeout(() => { b.interactive = performance.now(); }, 0));
  });
  obs.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-view'] });
})();`;

type Probe = { rows: number; interactive: number; lastHistory: number };

async function load(page: Page, url: string): Promise<Probe> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction('window.__bench.interactive > 0', undefined, { timeout: 60_000, polling: 50 });
  return (await page.evaluate('window.__bench')) as Probe;
}

/**
 * In the page: runs the change, then waits for the table to show the view the URL now names,
 * painted (the frame after, and a task): ms from the change, and from the last history write
 * (the end of the typing pause) to the same moment. A string: this file is not compiled for the DOM.
 */
const CHANGE = `async (a) => {
  const b = window.__bench;
  const table = document.querySelector('section[aria-label="Containers"]');
  const before = location.search;
  const t0 = performance.now();
  if (a.kind === 'state') {
    Array.from(document.querySelectorAll('fieldset label')).find((l) => l.textContent.trim() === a.state).querySelector('input').click();
  } else {
    const input = document.querySelector('input[aria-label="Search containers"]');
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, a.text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  const settled = () => location.search !== before && table.dataset.view === (location.search.slice(1) || '-') && table.getAttribute('aria-busy') !== 'true';
  await new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (!settled()) return;
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(resolve, 0));
    });
    obs.observe(table, { attributes: true, childList: true, subtree: true });
  });
  const t1 = performance.now();
  // the rows out of view take the new view in the frame after (packages/ui Table, useRowsInViewFirst): until every row has, painted
  const grid = table.querySelector('table');
  if (grid.getAttribute('aria-busy') === 'true') {
    await new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        if (grid.getAttribute('aria-busy') === 'true') return;
        obs.disconnect();
        requestAnimationFrame(() => setTimeout(resolve, 0));
      });
      obs.observe(grid, { attributes: true, attributeFilter: ['aria-busy'] });
    });
  }
  const whole = performance.now() - t0;
  const req = performance.getEntriesByType('resource').filter((r) => r.name.includes('containers.search') && r.startTime >= t0).pop();
  const inFlight = performance.getEntriesByType('resource').filter((r) => r.startTime < t0 && r.responseEnd > t0).map((r) => ({ path: new URL(r.name).pathname, start: Math.round(r.startTime - t0), end: Math.round(r.responseEnd - t0) }));
  const requests = performance.getEntriesByType('resource').filter((r) => r.startTime >= t0).map((r) => ({ path: new URL(r.name).pathname, start: Math.round(r.startTime - t0), queued: Math.round(r.requestStart - r.startTime), waiting: Math.round(r.responseStart - r.requestStart), total: Math.round(r.responseEnd - r.startTime) }));
  return { fromInput: t1 - t0, whole, fromUrl: t1 - b.lastHistory, requestStart: req ? req.startTime - t0 : -1, request: req ? req.responseEnd - req.startTime : -1, afterResponse: req ? t1 - req.responseEnd : -1, requests, inFlight };
}`;

type Change = { fromInput: number; whole: number; fromUrl: number; requestStart: number; request: number; afterResponse: number; requests: Array<{ path: string; start: number; queued: number; waiting: number; total: number }>; inFlight: Array<{ path: string; start: number; end: number }> };

async function timedChange(page: Page, act: { kind: 'state'; state: string } | { kind: 'type'; text: string }): Promise<Change> {
  return (await page.evaluate(`(${CHANGE})(${JSON.stringify(act)})`)) as Change;
}

/** A script's bytes as served (with Accept-Encoding: gzip) and gzip'd here at level 6 when it was not. */
function scriptSize(url: string, cookie: string): Promise<{ url: string; wire: number; encoding: string; gzip: number }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': 'gzip', cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const encoding = String(res.headers['content-encoding'] ?? 'identity');
        resolve({ url: new URL(url).pathname, wire: body.length, encoding, gzip: encoding === 'gzip' ? body.length : gzipSync(body, { level: 6 }).length });
      });
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

async function seedFleet(db: Awaited<ReturnType<typeof seedControlPlane>>['db']): Promise<void> {
  const now = new Date();
  // every host belongs to a team: the migration's default one
  const teamId = (await db.team.findUniqueOrThrow({ where: { name: 'default' } })).id;
  for (let i = 0; i < HOSTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, HOSTS - i) }, (_, j) => {
      const n = i + j;
      const name = `sim-${String(n).padStart(4, '0')}`;
      const offline = n % 100 === 99;
      return {
        name,
        status: offline ? ('offline' as const) : ('online' as const),
        agentVersion: '0.1.0',
        inventory: { containers: simulatedContainers(name, CONTAINERS), images: [], volumes: [], networks: [] } as object,
        inventoryAt: offline ? new Date(now.getTime() - 3_600_000) : now,
        lastSeenAt: offline ? new Date(now.getTime() - 3_600_000) : now,
        enrolledAt: now,
        teamId,
      };
    });
    await db.host.createMany({ data: batch });
  }
  // settled, as autovacuum leaves a table a minute after a bulk load: statistics, and the
  // visibility map that lets a count read the indexes alone
  await db.$executeRawUnsafe('VACUUM ANALYZE');
}

function startGateway(databaseUrl: string, port: number): Promise<ChildProcess> {
  const profile = values['gateway-profile'] ? ['--cpu-prof', `--cpu-prof-dir=${values['gateway-profile']}`] : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs('gateway')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), BIND: '127.0.0.1', BERTH_WEB: '1', BERTH_RECONCILER: '0', BERTH_LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (async () => {
    const deadline = Date.now() + 120_000;
    while (!(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('the gateway did not start');
      await sleep(100);
    }
    return child;
  })();
}

async function main(): Promise<void> {
  const about = await machine();
  if (!values['no-build']) {
    log('next build…');
    await runCommand(process.execPath, [join(repoRoot, 'node_modules/next/dist/bin/next'), 'build', join(repoRoot, 'apps/web')], { env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  }
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-web-'));
  await chmod(dir, 0o711);
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort() });
  let gateway: ChildProcess | null = null;
  let heartbeats: ReturnType<typeof setInterval> | undefined;
  const browser = await chromium.launch(CHROMIUM);
  try {
    const { url, db } = await seedControlPlane(pg, 1);
    let t = performance.now();
    await seedFleet(db);
    const containers = await db.inventoryContainer.count();
    log(`seeded ${HOSTS} hosts, ${containers} containers in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // the query alone, in this process
    const sql = { firstPage: [] as number[], filtered: [] as number[], text: [] as number[] };
    for (let i = 0; i < 50; i++) {
      t = performance.now();
      await searchContainers({ limit: 50 }, db);
      sql.firstPage.push(performance.now() - t);
      t = performance.now();
      await searchContainers({ states: ['exited'], sort: 'name', offset: 100, limit: 50 }, db);
      sql.filtered.push(performance.now() - t);
      t = performance.now();
      await searchContainers({ text: `app${i % 6}-${SERVICES[Math.floor(i / 6) % SERVICES.length]}`, limit: 50 }, db);
      sql.text.push(performance.now() - t);
    }
    // the statements containers.search runs: the page, and the count beside it
    const explain = async (what: string, query: Prisma.Sql) => log(`EXPLAIN ${what}:\n${(await db.$queryRaw<Array<{ 'QUERY PLAN': string }>>(query)).map((r) => r['QUERY PLAN']).join('\n')}`);
    // with a text, the search orders by c.created + 0 (packages/core/src/inventory/containers.ts says why)
    const pageOf = (where: Prisma.Sql, order = Prisma.sql`c.created`) => Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) SELECT h.name AS host, h.id::text AS host_id, c.summary AS c
      FROM inventory_containers c JOIN hosts h ON h.id = c.host_id WHERE h.revoked_at IS NULL AND ${where} ORDER BY ${order} DESC, h.name, c.id LIMIT 50`;
    const count = (where: Prisma.Sql) => Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM inventory_containers c JOIN hosts h ON h.id = c.host_id WHERE h.revoked_at IS NULL AND ${where}`;
    await explain('first page', pageOf(Prisma.sql`true`));
    await explain('count, no filter', count(Prisma.sql`true`));
    await explain('page, text "app3-redis"', pageOf(Prisma.sql`c.search LIKE '%app3-redis%'`, Prisma.sql`c.created + 0`));
    await explain('count, text "app3-redis"', count(Prisma.sql`c.search LIKE '%app3-redis%'`));
    await explain('page, state exited (the state tick)', pageOf(Prisma.sql`c.state IN ('exited')`));
    await explain('count, state exited', count(Prisma.sql`c.state IN ('exited')`));
    await explain('page, state exited by name, page 3', Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) SELECT h.name AS host, h.id::text AS host_id, c.summary AS c
      FROM inventory_containers c JOIN hosts h ON h.id = c.host_id WHERE h.revoked_at IS NULL AND c.state IN ('exited') ORDER BY c.name ASC, h.name, c.id LIMIT 50 OFFSET 100`);

    // The online hosts' agents heartbeat through another gateway, which keeps their last_seen_at
    // fresh: without it this gateway's sweep marks every host offline 15 s after the seeding, as it
    // must for hosts nobody holds (runs before 2026-12-01 04:00 measured that fleet, all offline).
    // the online ones are those seeded with a fresh inventory (the offline ones' is an hour old)
    const heartbeat = () => db.$executeRaw`UPDATE hosts SET last_seen_at = now(), status = 'online' WHERE inventory_at > now() - interval '30 minutes'`;
    await heartbeat();
    heartbeats = setInterval(() => void heartbeat().catch(() => {}), 3_000);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    gateway = await startGateway(url, port);
    const login = await fetch(`${base}/api/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: { username: 'bench', password: 'bench-password-1' } }) });
    const session = /berth_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!session) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
    // containers.search through the gateway from this process (HTTP, the session cookie, tRPC's
    // batch form as the page sends it): the request path without a browser, beside the in-process figures
    const overHttp = { firstPage: [] as number[], filtered: [] as number[] };
    const search = async (input: object) => {
      const q = encodeURIComponent(JSON.stringify({ 0: { json: input } }));
      const t0 = performance.now();
      const res = await fetch(`${base}/api/trpc/containers.search?batch=1&input=${q}`, { headers: { cookie: `berth_session=${session}` } });
      const body = await res.text();
      if (!res.ok) throw new Error(`containers.search over HTTP: ${res.status} ${body.slice(0, 200)}`);
      return performance.now() - t0;
    };
    // the inputs the page sends (apps/web/src/lib/container-query.ts searchInput): first page, and a state ticked
    for (let i = 0; i < 50; i++) {
      overHttp.firstPage.push(await search({ sort: 'created', order: 'desc', hosts: 'stale', offset: 0, limit: 50 }));
      overHttp.filtered.push(await search({ states: ['exited'], sort: 'created', order: 'desc', hosts: 'stale', offset: 0, limit: 50 }));
    }
    log(`containers.search over HTTP p50: first page ${pct(overHttp.firstPage, 50).toFixed(1)} ms, state exited ${pct(overHttp.filtered, 50).toFixed(1)} ms`);
    const newContext = async (): Promise<BrowserContext> => {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await ctx.addCookies([{ name: 'berth_session', value: session, url: base }]);
      await ctx.addInitScript(PROBE);
      return ctx;
    };
    // warm-up: Next compiles nothing in production, but the server's first requests fill its caches
    {
      const ctx = await newContext();
      await load(await ctx.newPage(), `${base}/containers`);
      await ctx.close();
    }

    const cold = { rows: [] as number[], interactive: [] as number[] };
    let scripts: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await newContext();
      const page = await ctx.newPage();
      const p = await load(page, `${base}/containers`);
      cold.rows.push(p.rows);
      cold.interactive.push(p.interactive);
      if (i === 0) scripts = (await page.evaluate(`performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || /[.]js([?]|$)/.test(r.name)).map((r) => r.name)`)) as string[];
      await ctx.close();
      log(`cold load ${i + 1}/${RUNS}: rows ${p.rows.toFixed(0)} ms, interactive ${p.interactive.toFixed(0)} ms`);
    }

    const ctx = await newContext();
    const page = await ctx.newPage();
    const warm = { rows: [] as number[], interactive: [] as number[] };
    const stateChange: number[] = [];
    /** the same ticks until every row of the page shows the new view (the rows out of view follow a frame later) */
    const stateWhole: number[] = [];
    /** where a state tick's time goes: until the request starts, the request, after its answer */
    const stateParts = { untilRequest: [] as number[], request: [] as number[], afterResponse: [] as number[] };
    const typed = { fromInput: [] as number[], fromUrl: [] as number[] };
    const inBrowserFetch: Array<[number, number]> = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await load(page, `${base}/containers`);
      warm.rows.push(p.rows);
      warm.interactive.push(p.interactive);
      // a person's click comes after looking at the page, not in the task after it turns
      // interactive: the change no longer races the page's own start (its event stream connecting,
      // the collection after the load) on 2 cores
      await sleep(SETTLE_MS);
      const s = await timedChange(page, { kind: 'state', state: 'exited' });
      stateChange.push(s.fromInput);
      stateWhole.push(s.whole);
      stateParts.untilRequest.push(s.requestStart);
      stateParts.request.push(s.request);
      stateParts.afterResponse.push(s.afterResponse);
      // a text no earlier run typed, matching containers on every host (app3-redis: compose project
      // and service): the answer comes from the server, not the query cache, and is never empty
      const x = await timedChange(page, { kind: 'type', text: `app${i % 6}-${SERVICES[Math.floor(i / 6) % SERVICES.length]}` });
      typed.fromInput.push(x.fromInput);
      typed.fromUrl.push(x.fromUrl);
      // which requests a tick made, and where their time went (queued for a connection, waiting for the server)
      if (i < 2) log(`state tick ${i + 1}: requests ${JSON.stringify(s.requests)}, in flight at the click ${JSON.stringify(s.inFlight)}`);
      log(`warm load ${i + 1}/${RUNS}: interactive ${p.interactive.toFixed(0)} ms; state filter ${s.fromInput.toFixed(0)} ms (whole table ${s.whole.toFixed(0)}; request from ${s.requestStart.toFixed(0)}, ${s.request.toFixed(0)} ms, then ${s.afterResponse.toFixed(0)}); typed search ${x.fromInput.toFixed(0)} ms (${x.fromUrl.toFixed(0)} after the pause)`);
    }
    {
      // the same request from the page's own fetch, one after another: the browser's share of a tick's request
      await load(page, `${base}/containers`);
      await sleep(SETTLE_MS);
      const input = encodeURIComponent(JSON.stringify({ json: { states: ['exited'], sort: 'created', order: 'desc', hosts: 'stale', offset: 0, limit: 50 } }));
      const times = (await page.evaluate(`(async () => { const out = []; for (let i = 0; i < 30; i++) { const t = performance.now(); const r = await fetch('/api/trpc/containers.search?input=${input}'); await r.text(); const e = performance.getEntriesByType('resource').pop(); out.push([performance.now() - t, e.responseStart - e.requestStart]); } return out; })()`)) as Array<[number, number]>;
      inBrowserFetch.push(...times);
      log(`containers.search by fetch() in the page, p50: ${pct(times.map((x) => x[0]), 50).toFixed(1)} ms (waiting for the server ${pct(times.map((x) => x[1]), 50).toFixed(1)} ms)`);
    }
    if (values.profile) {
      await load(page, `${base}/containers`);
      await sleep(SETTLE_MS);
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      const s = await timedChange(page, { kind: 'state', state: 'exited' });
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(values.profile, JSON.stringify(profile));
      log(`profiled state filter: ${JSON.stringify(s)} → ${values.profile}`);
    }
    if (values.trace) {
      await load(page, `${base}/containers`);
      await sleep(SETTLE_MS);
      await browser.startTracing(page, { path: values.trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      const s = await timedChange(page, { kind: 'state', state: 'exited' });
      await browser.stopTracing();
      log(`traced state filter: ${JSON.stringify(s)} → ${values.trace}`);
    }
    await ctx.close();

    const sizes = await Promise.all(scripts.map((s) => scriptSize(s, `berth_session=${session}`)));
    const result = {
      machine: about,
      loadavgAtEnd: (await import('node:os')).loadavg().map((x) => +x.toFixed(2)),
      hosts: HOSTS,
      /** as seeded, 1 %; checked at the end, so that a run of an all-offline fleet shows as one */
      hostsNotOnlineAtEnd: await db.host.count({ where: { status: { not: 'online' } } }),
      containers,
      runs: RUNS,
      searchInProcessMs: { firstPageOf50: summary(sql.firstPage), exitedByNamePage3: summary(sql.filtered), textSearch: summary(sql.text) },
      searchOverHttpMs: { firstPageOf50: summary(overHttp.firstPage), stateExited: summary(overHttp.filtered) },
      firstLoadColdMs: { rowsVisible: summary(cold.rows), interactive: summary(cold.interactive) },
      firstLoadWarmMs: { rowsVisible: summary(warm.rows), interactive: summary(warm.interactive) },
      // the tick's request as the page's own fetch() makes it, repeated: in all, and waiting for the server
      inPageFetchMs: { total: summary(inBrowserFetch.map((x) => x[0])), waiting: summary(inBrowserFetch.map((x) => x[1])) },
      filterChangeMs: { stateTicked: summary(stateChange), stateTickedWholeTable: summary(stateWhole), stateTickedParts: { untilRequest: summary(stateParts.untilRequest), request: summary(stateParts.request), afterResponse: summary(stateParts.afterResponse) }, searchTypedIncludingPause: summary(typed.fromInput), searchAfterPause: summary(typed.fromUrl) },
      javascript: {
        scripts: sizes.length,
        wireBytes: sizes.reduce((a, s) => a + s.wire, 0),
        servedEncodings: [...new Set(sizes.map((s) => s.encoding))],
        gzipBytes: sizes.reduce((a, s) => a + s.gzip, 0),
        largest: sizes.sort((a, b) => b.gzip - a.gzip).slice(0, 5).map((s) => ({ path: s.url, gzipKiB: +(s.gzip / 1024).toFixed(1) })),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    await db.$disconnect();
  } finally {
    clearInterval(heartbeats);
    await browser.close();
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway!.once('exit', r));
      gateway.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      gateway.kill('SIGKILL');
    }
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
