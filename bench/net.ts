/**
 * Networking benchmark (issue 6), berth against podman (netavark) in the same run:
 *
 * 1. Start: `run -d` of busybox httpd with one published port until an HTTP GET through
 *    127.0.0.1:PORT answers, against the same run with --network none until the run returns.
 *    The difference is what a bridge network and a published port add to a start. Same for podman.
 * 2. Throughput: wrk against httpd through a published port on 127.0.0.1 (berth, podman), directly
 *    at the container's address (no NAT), and against the same busybox httpd run on the host.
 *
 * Everything runs inside a network namespace the benchmark makes (bridges, nftables and iptables
 * rules of both engines die with it), with its own temp dir, cgroups and podman storage, removed at
 * the end, on failure and on SIGINT/SIGTERM. Traffic stays in that namespace.
 *
 *   node --import tsx bench/net.ts [--samples 20] [--wrk-seconds 5] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cgroupDirs, ContainerEngine, detectCgroupMode, hostExec, hostNet, lookPath, NetworkManager, OciRuntime, parseProcLimits, removeCgroup } from '@berth/runtime';
import type { CgroupLayout } from '@berth/runtime';
import { busyboxRootfs, killConmonsUnder, machine, runCommand, sleep, stats } from './common.ts';
import { openPodman, PODMAN_IMAGE, type Podman } from './podman.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '20' }, 'wrk-seconds': { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } });
const SAMPLES = Number(values.samples);
const WRK_SECONDS = Number(values['wrk-seconds']);
const ROUNDS = Number(values.rounds);
const INSIDE = process.env.BERTH_BENCH_NETNS;

/** Outside: make the namespace, run this script in it, remove the namespace whatever happens. */
async function outside(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/net.ts needs root (namespaces, bridges, nftables, cgroups)');
  const ns = `berth-bench-net-${process.pid}`;
  await runCommand('ip', ['netns', 'add', ns]);
  const remove = () => runCommand('ip', ['netns', 'delete', ns]).catch(() => undefined);
  try {
    await runCommand('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // nsenter, not `ip netns exec`: that would remount /sys and hide the cgroup hierarchies.
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, BERTH_BENCH_NETNS: ns },
    });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => child.kill(sig));
    const code = await new Promise<number>((r) => child.once('close', (c) => r(c ?? 1)));
    process.exitCode = code;
  } finally {
    await remove();
  }
}

let work = '';
let layout: CgroupLayout | null = null;
const parent = `berth-bench-net-${process.pid}`;
const engines: ContainerEngine[] = [];
const managers: NetworkManager[] = [];
let podman: Podman | null = null;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const e of engines.splice(0)) {
      for (const c of e.list()) await e.remove(c.id, { force: true }).catch(() => undefined);
      await e.close().catch(() => undefined);
    }
    for (const m of managers.splice(0)) await m.close().catch(() => undefined);
    await podman?.cleanup();
    if (!work) return;
    await killConmonsUnder(work);
    const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(work));
    for (const m of mounts.reverse()) await runCommand('umount', ['-l', m]).catch(() => undefined);
    if (layout) await removeCgroup(cgroupDirs(layout, `/${parent}`)).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  })();
  return cleaning;
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls until an HTTP GET answers 200; the time it took, in ms. */
async function untilServed(url: string, since: bigint): Promise<number> {
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return Number(process.hrtime.bigint() - since) / 1e6;
    await sleep(2);
  }
}

const now = () => process.hrtime.bigint();
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

async function wrk(url: string): Promise<number> {
  const { stdout } = await runCommand('wrk', ['-t', '2', '-c', '16', '-d', `${WRK_SECONDS}s`, url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  return Number(m[1]);
}

async function inside(): Promise<void> {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  const mach = await machine();
  const runcPath = await lookPath('runc');
  const conmonPath = await lookPath('conmon');
  const wrkPath = await lookPath('wrk');
  if (!runcPath || !conmonPath) throw new Error('runc and conmon are needed: apt-get install runc conmon');
  if (!wrkPath) throw new Error('wrk is needed: apt-get install wrk');
  work = await mkdtemp(join(tmpdir(), 'berth-bench-net-'));
  layout = detectCgroupMode(await readFile('/proc/self/mountinfo', 'utf8'));

  const { rootfs, layerTar } = await busyboxRootfs(work);

  // The engine and networks as the agent opens them (host-engine.ts), in this namespace.
  const stateDir = join(work, 'state');
  const exec = hostExec();
  const net = new NetworkManager({ stateDir, host: hostNet(exec), defaultBridge: { name: 'berth0', subnet: '172.17.0.0/16' }, ipForward: true, hostResolvConf: '/dev/null' });
  managers.push(net);
  await net.load();
  const engine = new ContainerEngine({
    stateDir,
    runtime: new OciRuntime({ name: 'runc', path: runcPath, stateDir, exec }),
    exec,
    conmonPath,
    cgroupLayout: layout,
    hostLimits: parseProcLimits(await readFile('/proc/self/limits', 'utf8')),
    cgroupParent: parent,
    network: net,
  });
  engines.push(engine);
  await engine.load();
  await net.sync();
  const httpd = ['httpd', '-f', '-p', '80', '-h', '/etc'];

  podman = await openPodman(work, layerTar, layout);

  const rows: Record<string, number[]> = { berthNone: [], berthPublished: [], podmanNone: [], podmanPublished: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const order = i % 2 === 0 ? ['berth', 'podman'] : ['podman', 'berth'];
    for (const who of order) {
      if (who === 'berth') {
        let t = now();
        const a = await engine.run({ rootfs, config: { cmd: httpd, networkMode: 'none' } });
        rows.berthNone!.push(since(t));
        const port = await freePort();
        t = now();
        const b = await engine.run({ rootfs, config: { cmd: httpd, networkMode: 'bridge', networks: [{ networkId: '', networkName: 'bridge', aliases: [] }], portBindings: [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }] } });
        rows.berthPublished!.push(await untilServed(`http://127.0.0.1:${port}/hostname`, t));
        for (const c of [a, b]) await engine.remove(c.id, { force: true });
      } else if (podman) {
        let t = now();
        const a = (await podman.run(['run', '--cgroup-parent', `/${parent}`, '-d', '--network', 'none', PODMAN_IMAGE, ...httpd])).trim();
        rows.podmanNone!.push(since(t));
        const port = await freePort();
        t = now();
        const b = (await podman.run(['run', '--cgroup-parent', `/${parent}`, '-d', '-p', `127.0.0.1:${port}:80`, PODMAN_IMAGE, ...httpd])).trim();
        rows.podmanPublished!.push(await untilServed(`http://127.0.0.1:${port}/hostname`, t));
        await podman.run(['rm', '-f', '-t', '0', a, b]);
      }
    }
  }

  // Throughput: one server each, wrk in turns.
  const hostDir = join(work, 'www');
  await mkdir(hostDir);
  await writeFile(join(hostDir, 'hostname'), 'host\n');
  const hostPort = await freePort();
  const hostHttpd = spawn('busybox', ['httpd', '-f', '-p', `127.0.0.1:${hostPort}`, '-h', hostDir], { stdio: 'ignore' });
  const berthPort = await freePort();
  const bc = await engine.run({ rootfs, config: { cmd: httpd, networkMode: 'bridge', networks: [{ networkId: '', networkName: 'bridge', aliases: [] }], portBindings: [{ hostIp: '127.0.0.1', hostPort: berthPort, containerPort: 80, protocol: 'tcp' }] } });
  const berthIp = bc.network?.endpoints[0]?.ipv4Address;
  const targets: Record<string, string> = {
    host: `http://127.0.0.1:${hostPort}/hostname`,
    berthPublished: `http://127.0.0.1:${berthPort}/hostname`,
    berthDirect: `http://${berthIp}/hostname`,
  };
  if (podman) {
    const podmanPort = await freePort();
    await podman.run(['run', '--cgroup-parent', `/${parent}`, '-d', '--name', 'tput', '-p', `127.0.0.1:${podmanPort}:80`, PODMAN_IMAGE, ...httpd]);
    targets.podmanPublished = `http://127.0.0.1:${podmanPort}/hostname`;
  }
  for (const url of Object.values(targets)) await untilServed(url, now());
  const tput: Record<string, number[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, [] as number[]]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, url] of Object.entries(targets)) tput[k]!.push(await wrk(url));
  }
  hostHttpd.kill('SIGKILL');

  const s = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, stats(v)]));
  const med = (k: string) => (s[k] as { p50?: number }).p50 ?? NaN;
  const tmed = (k: string) => (tput[k]?.length ? [...tput[k]!].sort((a, b) => a - b)[Math.floor(tput[k]!.length / 2)]! : NaN);
  console.log(
    JSON.stringify(
      {
        machine: mach,
        podman: podman ? { version: podman.version } : null,
        startMs: s,
        extraStartMsOfBridgeAndPort: { berth: +(med('berthPublished') - med('berthNone')).toFixed(1), podman: +(med('podmanPublished') - med('podmanNone')).toFixed(1) },
        requestsPerSec: tput,
        throughputVsHost: Object.fromEntries(Object.keys(tput).map((k) => [k, +(tmed(k) / tmed('host')).toFixed(2)])),
      },
      null,
      2,
    ),
  );
}

if (INSIDE) {
  inside()
    .catch((err: Error) => {
      console.error(err.stack ?? err.message);
      process.exitCode = 1;
    })
    .finally(() => void cleanup());
} else {
  outside().catch((err: Error) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
