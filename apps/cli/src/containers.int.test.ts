// Docker's verbs from the berth CLI, as a user types them, against a real gateway, a real agent
// (in this machine's namespace, so that it reaches the registry on 127.0.0.1 as the user's
// engine would) and a real docker-registry. Every container and image goes away afterwards,
// whatever happened.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createJoinToken, createUser, systemActor, type Actor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, nodeArgs, runCli, runCliOnTerminal, startGateway, type RunningGateway } from '@berth/testing/fleet';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';
import { freeTestSubnets, ownNetworkEnv, removeOwnNetwork } from '@berth/testing/network-env';

const run = promisify(execFile);
const HOST = 'cli-test';

describe.skipIf(process.getuid?.() !== 0)('berth images and containers from the CLI, on a real agent', () => { // skipped unless root: real containers need namespaces, cgroups and mounts (./berth test runs as root)
  const t = useTestDatabase();
  let gw: RunningGateway;
  let registry: RunningRegistry;
  let privateRegistry: RunningRegistry;
  let keyDir = '';
  const robot = { username: 'robot', password: 'sealed-robot-password-42' };
  let agent: ChildProcess | undefined;
  let agentLog = '';
  let state = '';
  let netEnv: ReturnType<typeof ownNetworkEnv> | undefined;
  const cgroupParent = `berth-cli-test-${process.pid}`;
  const env: Record<'admin' | 'operator' | 'viewer', Record<string, string>> = { admin: {}, operator: {}, viewer: {} };
  let image = '';
  let image2 = '';
  let image3 = '';
  let privateImage = '';
  const cli = (args: string[], who: keyof typeof env = 'admin') => runCli(args, env[who]);
  /** The CLI with something on its stdin (--password-stdin). */
  const cliWithInput = (args: string[], input: string, who: keyof typeof env = 'admin') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeArgs('cli'), ...args], { env: { ...process.env, ...env[who] }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin!.end(input);
    });

  beforeAll(async () => {
    registry = await startRegistry();
    const busybox = await buildBusyboxImage();
    await pushImage(busybox, registry.url, 'busybox', 'latest');
    await pushImage(busybox, registry.url, 'tools/busybox', 'other');
    await pushImage(busybox, registry.url, 'tty/busybox', 'drawn');
    image = `${registry.host}/busybox:latest`;
    image2 = `${registry.host}/tools/busybox:other`;
    image3 = `${registry.host}/tty/busybox:drawn`;

    privateRegistry = await startRegistry({ htpasswd: robot });
    await pushImage(busybox, privateRegistry.url, 'team/busybox', 'private', robot);
    privateImage = `${privateRegistry.host}/team/busybox:private`;
    keyDir = await mkdtemp(join(tmpdir(), 'berth-cli-int-key-'));
    await writeFile(join(keyDir, 'secret.key'), randomBytes(32), { mode: 0o600 });

    gw = await startGateway({ databaseUrl: t().url, env: { BERTH_SECRET_KEY_FILE: join(keyDir, 'secret.key') } });
    let admin: Actor | undefined;
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const u = await createUser(systemActor(), { username: role, password: 'a-long-password', role }, t().db);
      const actor: Actor = { kind: 'user', id: u.id, name: u.username, role, source: 'cli', remoteAddr: null };
      if (role === 'admin') admin = actor;
      const token = await createApiToken(actor, { name: `${role}-cli` }, t().db);
      env[role] = { BERTH_URL: gw.url, BERTH_TOKEN: token.token, BERTH_CONFIG: '/nonexistent/config.json' };
    }
    const jt = await createJoinToken(admin!, { hostName: HOST }, t().db);
    state = await mkdtemp(join(tmpdir(), 'berth-cli-int-'));
    // a bridge, subnet and nftables table of this test's own, in the machine's namespace
    netEnv = ownNetworkEnv(`cli${process.pid % 1000}`);
    agent = spawn(process.execPath, nodeArgs('agent'), {
      env: { ...process.env, BERTH_CONTROL_PLANE: gw.wsUrl, BERTH_HOST_NAME: HOST, BERTH_JOIN_TOKEN: jt.token, BERTH_STATE_DIR: join(state, 'agent'), BERTH_CGROUP_PARENT: cgroupParent, ...netEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout!.on('data', (d) => (agentLog = (agentLog + String(d)).slice(-20_000)));
    agent.stderr!.on('data', (d) => (agentLog = (agentLog + String(d)).slice(-20_000)));
    await eventually(async () => (await t().db.host.findUnique({ where: { name: HOST } }))?.status === 'online', `${HOST} online (agent log: ${agentLog.slice(-500)})`, 60_000);
  });

  afterAll(async () => {
    // containers and images first, through the product; then whatever the agent left behind
    if (agent && agent.exitCode === null) {
      const ps = await cli(['-H', HOST, 'ps', '-aq', '--no-trunc']).catch(() => null);
      const ids = ps?.stdout.split('\n').filter(Boolean) ?? [];
      if (ids.length) await cli(['-H', HOST, 'rm', '-f', ...ids]).catch(() => null);
      await cli(['-H', HOST, 'rmi', '-f', image, image2, image3, privateImage, 'copy:1']).catch(() => null);
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      const timer = setTimeout(() => agent!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (state) {
      // conmon and containers outlive the agent by design: stop those of this test's state dir
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes(state)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(state));
      for (const m of mounts.reverse()) await run('umount', ['-l', m]).catch(() => undefined);
      // and any container process still in this test's cgroups (its conmon is gone)
      for (const root of await cgroupRoots()) await killCgroupTree(join(root, cgroupParent));
      await new Promise((r) => setTimeout(r, 200));
      for (const root of await cgroupRoots()) await rmCgroupTree(join(root, cgroupParent));
      if (netEnv) removeOwnNetwork(netEnv, join(state, 'agent'));
      await rm(state, { recursive: true, force: true });
    }
    await gw?.stop();
    await registry?.stop();
    await privateRegistry?.stop();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  it('pulls an image from a registry with per-layer progress, and lists it', async () => {
    const r = await cli(['pull', image]);
    expect(r.code, r.stderr + agentLog.slice(-2000)).toBe(0);
    expect(r.stdout).toContain(`latest: Pulling from ${registry.host}/busybox\n`);
    expect(r.stdout).toMatch(/^[0-9a-f]{12}: (Downloading|Pull complete)/m);
    expect(r.stdout).toMatch(/^[0-9a-f]{12}: Pull complete$/m);
    expect(r.stdout).toMatch(/^Digest: sha256:[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^Status: Downloaded newer image for .*busybox:latest$/m);

    const again = await cli(['pull', image]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Status: Image is up to date for .*busybox:latest$/m);

    const images = await cli(['images']);
    expect(images.code, images.stderr).toBe(0);
    expect(images.stdout.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(images.stdout).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')}/busybox\\s+latest\\s+[0-9a-f]{12}\\s+.+ago\\s+[\\d.]+[kMG]?B$`, 'm'));
    const quiet = await cli(['images', '-q']);
    expect(quiet.stdout.trim()).toMatch(/^[0-9a-f]{12}$/);
    // a viewer may look
    const viewer = await cli(['images'], 'viewer');
    expect(viewer.code, viewer.stderr).toBe(0);
  });

  it('redraws each layer in place when pulling on a terminal', async () => {
    await cli(['rmi', image]); // the layer must be fetched again
    // script(1) gives the CLI a terminal; the command line is ours, no user input in it
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', [process.execPath, ...nodeArgs('cli'), 'pull', image3].join(' '), '/dev/null'], { env: { ...process.env, ...env.admin }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.once('exit', (code) => resolve({ code, out }));
    });
    expect(r.code, r.out).toBe(0);
    // one layer: its line is rewritten one line up, ending as "Pull complete"
    const ESC = String.fromCharCode(27);
    expect(r.out).toMatch(new RegExp(`${ESC}\\[1A\\r${ESC}\\[2K[0-9a-f]{12}: Pull complete\\r${ESC}\\[1B`));
    expect(r.out).toMatch(/Status: Downloaded newer image for .*tty\/busybox:drawn/);
    const rmi = await cli(['rmi', image3]);
    expect(rmi.code, rmi.stderr).toBe(0);
    const again = await cli(['pull', image]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('runs a command attached: its output, its exit code, and --rm removes it', async () => {
    const hello = await cli(['run', '--rm', image, 'echo', 'hello']);
    expect(hello.stderr).toBe('');
    expect(hello.stdout).toBe('hello\n');
    expect(hello.code).toBe(0);
    const three = await cli(['run', '--name', 'three', image, 'sh', '-c', 'echo to-stderr >&2; exit 3']);
    expect(three.code, three.stderr).toBe(3);
    expect(three.stderr).toBe('to-stderr\n');
    const ps = await cli(['ps', '-a']);
    expect(ps.stdout).toMatch(/^[0-9a-f]{12}\s+\S+\s+"sh -c .*…"\s+.+ago\s+Exited \(3\) .* three$/m);
    expect(ps.stdout).not.toMatch(/echo hello/);
    const rm = await cli(['rm', 'three']);
    expect([rm.code, rm.stdout]).toEqual([0, 'three\n']);
  });

  it('exits 127 for a command not in the image, as docker run does; with --rm nothing stays, without it the container stays created', async () => {
    const gone = await cli(['run', '--rm', '--name', 'nocmd-rm', image, 'nosuchcmd']);
    expect(gone.code, gone.stderr).toBe(127);
    expect(gone.stderr).toMatch(/container nocmd-rm \([0-9a-f]{12}\) could not start, and is removed \(--rm\): .*executable file not found/);
    const kept = await cli(['run', '--name', 'nocmd', image, 'nosuchcmd']);
    expect(kept.code, kept.stderr).toBe(127);
    expect(kept.stderr).toContain('it stays created');
    const ps = await cli(['ps', '-a']);
    expect(ps.stdout).not.toMatch(/nocmd-rm$/m);
    expect(ps.stdout).toMatch(/\sCreated\s.*nocmd$/m);
    const rm = await cli(['rm', 'nocmd']);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('pulls an image it does not have yet before running, as docker run does', async () => {
    const r = await cli(['run', '--rm', image2, 'echo', 'pulled first']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Unable to find image '${image2}' locally`);
    expect(r.stdout).toBe('pulled first\n');
  });

  it('runs a detached container, lists it, shows its logs, and runs commands in it', async () => {
    const started = await cli(['run', '-d', '--name', 'web', '-e', 'SECRET_TOKEN=hunter2', image, 'sh', '-c', 'echo web is up; echo a warning >&2; exec sleep 1000']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const id = started.stdout.trim();

    const ps = await cli(['ps']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    expect(ps.stdout).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+\\S+busybox:latest\\s+".*"\\s+.+ago\\s+Up .*\\sweb$`, 'm'));
    expect(ps.stdout).not.toContain('HOST');

    const logs = await eventually(async () => {
      const l = await cli(['logs', 'web']);
      return l.stdout.includes('web is up') && l.stderr.includes('a warning') ? l : null;
    }, 'the logs of web');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe('web is up\n');
    expect(logs.stderr).toBe('a warning\n');
    const stamped = await cli(['logs', '-t', '--tail', '1', 'web']);
    expect(stamped.stdout + stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z a warning\n$/);

    // logs -f follows until Ctrl-C
    const follow = spawn(process.execPath, [...nodeArgs('cli'), 'logs', '-f', 'web'], { env: { ...process.env, ...env.admin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follow.stdout!.on('data', (d) => (followed += d));
    const followExit = new Promise<number | null>((r) => follow.once('exit', (code) => r(code)));
    await eventually(async () => followed.includes('web is up'), 'logs -f to print the log');
    follow.kill('SIGINT');
    expect(await followExit).toBe(130);

    const hostname = await cli(['exec', 'web', 'cat', '/etc/hostname']);
    expect(hostname.code, hostname.stderr).toBe(0);
    expect(hostname.stdout.trim()).not.toBe('');
    const withEnv = await cli(['exec', '-e', 'GREETING=hi', 'web', 'sh', '-c', 'echo $GREETING; exit 5']);
    expect([withEnv.code, withEnv.stdout]).toEqual([5, 'hi\n']);
    const inspect = await cli(['inspect', 'web']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const [doc] = JSON.parse(inspect.stdout) as [{ Id: string; Config?: { Env?: string[] } }];
    expect(doc.Id).toBe(id);
    expect(JSON.stringify(doc)).not.toContain('hunter2');

    const stats = await cli(['stats', '--no-stream', 'web']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n[0-9a-f]{12}\s+web\s+[\d.]+%\s+\S+ \/ \S+\s+[\d.]+%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+\d+\n$/);
  });

  it('passes stdin with exec -i, and wants a terminal for -t', async () => {
    // -i: stdin reaches the command (over the gateway's terminal socket)
    const interactive = spawn(process.execPath, [...nodeArgs('cli'), 'exec', '-i', 'web', 'sh', '-c', 'cat; exit 4'], { env: { ...process.env, ...env.admin }, stdio: ['pipe', 'pipe', 'pipe'] });
    let echoed = '';
    let echoErr = '';
    interactive.stdout!.on('data', (d) => (echoed += d));
    interactive.stderr!.on('data', (d) => (echoErr += d));
    interactive.stdin!.end('typed in\n');
    const timer = setTimeout(() => interactive.kill('SIGKILL'), 20_000);
    const interactiveCode = await new Promise<number | null>((r) => interactive.once('exit', (code) => r(code)));
    clearTimeout(timer);
    expect([interactiveCode, echoed], `stderr: ${echoErr}`).toEqual([4, 'typed in\n']);
    const tty = await cli(['exec', '-it', 'web', 'sh']);
    expect(tty.code).toBe(1);
    expect(tty.stderr).toMatch(/not a TTY/);
  });

  it('shows its processes and changes, commits them to an image, and pushes it', async () => {
    const top = await cli(['top', 'web']);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/PID/);
    expect(top.stdout).toMatch(/sleep 1000/);
    const touch = await cli(['exec', 'web', 'sh', '-c', 'echo made > /made-here']);
    expect(touch.code, touch.stderr).toBe(0);
    const diff = await cli(['diff', 'web']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/^A \/made-here$/m);
    const pushed = `${registry.host}/pushed/web:v1`;
    const commit = await cli(['commit', '-m', 'with a file', 'web', pushed]);
    expect(commit.code, commit.stderr).toBe(0);
    expect(commit.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const history = await cli(['history', pushed]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout.split('\n')[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(history.stdout).toMatch(/with a file/);
    const push = await cli(['push', pushed]);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain(`The push refers to repository [${registry.host}/pushed/web]\n`);
    expect(push.stdout).toMatch(/^[0-9a-f]{12}: (Pushed|Mounted|Layer already exists)$/m);
    expect(push.stdout).toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    const rmi = await cli(['rmi', pushed]);
    expect(rmi.code, rmi.stderr).toBe(0);
  });

  it('pauses, unpauses and restarts', async () => {
    const pause = await cli(['pause', 'web']);
    expect([pause.code, pause.stdout, pause.stderr]).toEqual([0, 'web\n', '']);
    expect((await cli(['ps'])).stdout).toMatch(/Up .*\(Paused\)\s+web$/m);
    const unpause = await cli(['unpause', 'web']);
    expect([unpause.code, unpause.stdout]).toEqual([0, 'web\n']);
    const restart = await cli(['restart', '-t', '1', 'web']);
    expect([restart.code, restart.stdout, restart.stderr]).toEqual([0, 'web\n', '']);
    expect((await cli(['ps'])).stdout).toMatch(/Up .*\sweb$/m);
  });

  it('stops, lists the exit, renames and removes', async () => {
    const stop = await cli(['stop', '-t', '1', 'web']);
    expect([stop.code, stop.stdout, stop.stderr]).toEqual([0, 'web\n', '']);
    const ps = await cli(['ps', '-a']);
    expect(ps.stdout).toMatch(/Exited \(137\) .*\sweb$/m);
    const running = await cli(['ps', '-q']);
    expect(running.stdout).toBe('');
    // docker's idiom: a status filter lists stopped containers without -a
    const exited = await cli(['ps', '--filter', 'status=exited', '--filter', 'exited=137', '--format', 'json']);
    expect([exited.code, exited.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { name: string }).name)], exited.stderr).toEqual([0, ['web']]);
    expect((await cli(['ps', '-a', '--filter', 'status=running', '-q'])).stdout).toBe('');
    // ancestor= as the host resolves it: another name of web's image names it too, as in docker;
    // a name the host lacks names nothing
    const web = (await cli(['ps', '-aq', '--filter', 'name=^web$'])).stdout;
    expect(web).toMatch(/^[0-9a-f]{12}\n$/);
    expect((await cli(['ps', '-aq', '--filter', `ancestor=${image2}`])).stdout).toBe(web);
    expect((await cli(['ps', '-aq', '--filter', 'ancestor=nothere:1'])).stdout).toBe('');
    const rename = await cli(['rename', 'web', 'web-old']);
    expect(rename.code, rename.stderr).toBe(0);
    const wait = await cli(['wait', 'web-old']);
    expect([wait.code, wait.stdout]).toEqual([0, '137\n']);
    const rm = await cli(['rm', 'web-old', 'nope']);
    expect(rm.code).toBe(1);
    expect(rm.stdout).toBe('web-old\n');
    expect(rm.stderr).toMatch(/No such container: nope/);
    expect((await cli(['ps', '-aq'])).stdout).toBe('');
  });

  it('runs with --health-cmd: ps shows (healthy) and filters on health; --no-healthcheck with --health-* is refused', async () => {
    const run = await cli(['run', '-d', '--name', 'checked', '--health-cmd', 'true', '--health-interval', '200ms', image, 'sleep', '1000']);
    expect(run.code, run.stderr).toBe(0);
    const ps = await eventually(async () => {
      const r = await cli(['ps']);
      return /Up .*\(healthy\)\s+checked$/m.test(r.stdout) && r;
    }, 'ps showing checked (healthy)');
    expect(ps.code).toBe(0);
    expect((await cli(['ps', '--filter', 'health=healthy', '--format', 'json'])).stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { name: string; health?: string })))
      .toEqual([expect.objectContaining({ name: 'checked', health: 'healthy' })]);
    expect((await cli(['ps', '-q', '--filter', 'health=none'])).stdout).toBe('');
    const inspect = JSON.parse((await cli(['inspect', 'checked'])).stdout) as { State: { Health: { Status: string } }; Config: { Healthcheck: unknown } }[];
    expect(inspect[0]!.Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 200_000_000 });
    expect(inspect[0]!.State.Health.Status).toBe('healthy');
    const bad = await cli(['run', '-d', '--no-healthcheck', '--health-interval', '1s', image, 'true']);
    expect([bad.code, bad.stderr]).toEqual([125, 'berth: run: --no-healthcheck conflicts with --health-* options (--health-interval)\n']);
    const zero = await cli(['run', '-d', '--health-interval', '0', image, 'true']);
    expect([zero.code, zero.stderr]).toEqual([125, 'berth: run: invalid --health-interval "0": it is zero; use a positive duration such as 500ms, 30s or 1m30s\n']);
    expect((await cli(['rm', '-f', 'checked'])).code).toBe(0);
  });

  it('saves an image to a file and loads it back with the same id; system df counts it; events tells what happened', async () => {
    const events = spawn(process.execPath, [...nodeArgs('cli'), 'events', '--format', 'json'], { env: { ...process.env, ...env.admin }, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    events.stdout!.on('data', (d) => (seen += d));
    try {
      const dir = await mkdtemp(join(tmpdir(), 'berth-cli-save-'));
      try {
        const id = (JSON.parse((await cli(['image', 'inspect', image])).stdout) as Array<{ id: string }>)[0]!.id;
        const save = await cli(['save', '-o', join(dir, 'bb.tar'), image]);
        expect(save.code, save.stderr).toBe(0);
        expect((await stat(join(dir, 'bb.tar'))).size).toBeGreaterThan(100_000);
        const df = await cli(['system', 'df']);
        expect(df.code, df.stderr).toBe(0);
        expect(df.stdout).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/m);
        expect(df.stdout).toMatch(/^Images\s+\d+\s+\d+\s+\S+/m);
        await cli(['tag', image, 'saved/copy:1']);
        expect((await cli(['rmi', 'saved/copy:1'])).code).toBe(0);
        const missing = await cli(['save', '-o', join(dir, 'none.tar'), 'nope:1']);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/nope:1/);
        await expect(stat(join(dir, 'none.tar'))).rejects.toThrow();
        const load = await cli(['load', '-i', join(dir, 'bb.tar')]);
        expect(load.code, load.stderr).toBe(0);
        expect(load.stdout).toBe(`Loaded image: ${image}\n`);
        expect((JSON.parse((await cli(['image', 'inspect', image])).stdout) as Array<{ id: string }>)[0]!.id).toBe(id);
        const run = await cli(['run', '--rm', '--name', 'evented', image, 'true']);
        expect(run.code, run.stderr).toBe(0);
        await eventually(async () => seen.includes('"action":"die"') && seen.includes('"evented"'), 'the container events');
        const lines = seen.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data: { action: string; name?: string }; host: string });
        const mine = lines.filter((e) => e.type === 'container' && e.data.name === 'evented').map((e) => e.data.action);
        expect(mine.slice(0, 3)).toEqual(['create', 'start', 'die']);
        expect(lines.find((e) => e.type === 'container')?.host).toBe(HOST);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      events.kill('SIGINT');
    }
  });

  it('exports a container\u2019s root filesystem, running or stopped, with its own changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cli-export-'));
    try {
      const run = await cli(['-H', HOST, 'run', '-d', '--name', 'exported', image, 'sh', '-c', 'echo mine > /made-here; exec sleep 1000']);
      expect(run.code, run.stderr).toBe(0);
      await eventually(async () => (await cli(['-H', HOST, 'diff', 'exported'])).stdout.includes('/made-here'), 'the file the container writes');
      const live = await cli(['-H', HOST, 'export', '-o', join(dir, 'live.tar'), 'exported']);
      expect(live.code, live.stderr).toBe(0);
      expect((await promisify(execFile)('tar', ['-tf', join(dir, 'live.tar')])).stdout.split('\n')).toEqual(expect.arrayContaining(['made-here', 'bin/busybox', 'etc/']));
      await cli(['-H', HOST, 'stop', '-t', '0', 'exported']);
      const stopped = await cli(['-H', HOST, 'export', '-o', join(dir, 'stopped.tar'), 'exported']);
      expect(stopped.code, stopped.stderr).toBe(0);
      const { stdout } = await promisify(execFile)('tar', ['-xOf', join(dir, 'stopped.tar'), 'made-here']);
      expect(stdout).toBe('mine\n');
      const viewer = await runCli(['-H', HOST, 'export', '-o', join(dir, 'v.tar'), 'exported'], env.viewer);
      expect(viewer.code).toBe(1);
      expect(viewer.stderr).toMatch(/needs the operator role/);
    } finally {
      await cli(['-H', HOST, 'rm', '-f', 'exported']);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tags, inspects and removes images, saying what it untagged and deleted', async () => {
    const inspect = await cli(['image', 'inspect', image]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const docs = JSON.parse(inspect.stdout) as Array<{ Id?: string; id?: string }>;
    expect(docs).toHaveLength(1);
    expect(docs[0]!.Id ?? docs[0]!.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const tag = await cli(['tag', image, 'copy:1']);
    expect(tag.code, tag.stderr).toBe(0);
    const untag = await cli(['rmi', 'copy:1']);
    expect(untag.code, untag.stderr).toBe(0);
    expect(untag.stdout).toMatch(/^Untagged: .*copy:1$/m);
    expect(untag.stdout).not.toMatch(/^Deleted:/m);
    const rmi = await cli(['rmi', image, image2]);
    expect(rmi.code, rmi.stderr).toBe(0);
    expect(rmi.stdout).toMatch(/^Untagged: .*busybox:latest$/m);
    expect(rmi.stdout).toMatch(/^Deleted: sha256:[0-9a-f]{64}$/m);
    expect((await cli(['images', '-q'])).stdout).toBe('');
    const prune = await cli(['image', 'prune', '-a', '-f']);
    expect([prune.code, prune.stdout]).toEqual([0, 'Total reclaimed space: 0B\n']);
  });

  it('refuses what the role does not allow, on the server', async () => {
    const viewer = await cli(['run', '-d', image, 'true'], 'viewer');
    expect(viewer.code).toBe(125);
    expect(viewer.stderr).toMatch(/creating a container needs the operator role; viewer is viewer/);
    const viewerExec = await cli(['exec', 'x', 'true'], 'viewer');
    expect(viewerExec.code).toBe(1);
    expect(viewerExec.stderr).toMatch(/needs the operator role/);
    const privileged = await cli(['run', '-d', '--privileged', image, 'true'], 'operator');
    expect(privileged.code).toBe(125);
    expect(privileged.stderr).toMatch(/--privileged needs the admin role; operator is operator/);
    const bind = await cli(['run', '-d', '-v', '/etc:/host-etc:ro', image, 'true'], 'operator');
    expect(bind.stderr).toMatch(/a bind mount of the host path \/etc needs the admin role/);
    const pull = await cli(['pull', image], 'viewer');
    expect(pull.code).toBe(1);
    expect(pull.stderr).toMatch(/pulling an image needs the operator role/);
  });

  it('says what is wrong in one line, and exits 1', async () => {
    const stop = await cli(['stop', 'nope']);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toBe(`berth: ${HOST}: No such container: nope\n`);
    const logs = await cli(['logs', 'nope']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toMatch(/No such container: nope/);
    const flag = await cli(['ps', '--bogus']);
    expect([flag.code, flag.stderr]).toEqual([1, 'berth: ps: unknown flag --bogus (see berth ps --help)\n']);
  });

  it('lists every host without -H: a HOST column, and a host that is away named on stderr', async () => {
    await t().db.host.create({ data: { name: 'away', status: 'offline', enrolledAt: new Date(), team: { connect: { name: 'default' } } } });
    await cli(['run', '-d', '--name', 'everywhere', image, 'sleep', '1000']).then((r) => expect(r.stderr).toMatch(/several hosts are enrolled \(away, cli-test\): choose one with -H HOST/));
    // the image was removed above: run pulls it again first
    const started = await cli(['-H', HOST, 'run', '-d', '--name', 'everywhere', image, 'sleep', '1000']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain(`Unable to find image '${image}' locally`);
    const ps = await cli(['ps', '-a']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')[0]).toMatch(/NAMES\s+HOST$/);
    expect(ps.stdout).toMatch(/Up .*\severywhere\s+cli-test$/m);
    expect(ps.stderr).toBe('berth: away: host away is offline (its containers are not listed)\n');
    const one = await cli(['-H', HOST, 'ps', '-a']);
    expect(one.stdout.split('\n')[0]).toMatch(/NAMES$/);
    const json = await cli(['ps', '-a', '--format', 'json']);
    expect(json.code).toBe(0);
  });

  it('pulls from a registry that wants a login once an admin has stored the credentials', async () => {
    const refused = await cli(['-H', HOST, 'pull', privateImage]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unauthori[sz]ed|authentication|credentials/i);
    const operator = await cliWithInput(['login', '-u', robot.username, '--password-stdin', privateRegistry.host], `${robot.password}\n`, 'operator');
    expect(operator.code).toBe(1);
    expect(operator.stderr).toMatch(/needs the admin role/);
    const login = await cliWithInput(['login', '-u', robot.username, '--password-stdin', privateRegistry.host], `${robot.password}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/^Login Succeeded/);
    const pulled = await cli(['-H', HOST, 'pull', privateImage]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toMatch(/^Status: Downloaded newer image for .*team\/busybox:private$/m);
    const rmi = await cli(['-H', HOST, 'rmi', privateImage]);
    expect(rmi.code, rmi.stderr).toBe(0);
    // search goes through the catalog with the stored credentials
    const found = await cli(['-H', HOST, 'search', `${privateRegistry.host}/team`]);
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout).toBe(`NAME\n${privateRegistry.host}/team/busybox\n`);
    const logout = await cli(['logout', privateRegistry.host]);
    expect([logout.code, logout.stdout]).toEqual([0, `Removing login credentials for ${privateRegistry.host}\n`]);
    const entries = JSON.stringify(await t().db.auditEntry.findMany(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    expect(entries).not.toContain(robot.password);
  });

  it('pulls and prunes on several hosts at once, a line per host, and fails only the host that failed', async () => {
    const r = await cli(['-H', `${HOST},nowhere`, 'pull', image]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${HOST}: sha256:[0-9a-f]{64}$`, 'm'));
    expect(r.stderr).toMatch(/^berth: nowhere: .*nowhere/m);
    const all = await cli(['-H', 'all', 'image', 'prune', '-f']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^${HOST}: deleted \\d+ images?, reclaimed `, 'm'));
  });

  it('searches a registry catalog by name, and says how when the registry is not named', async () => {
    const all = await cli(['-H', HOST, 'search', `${registry.host}/busy`]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toEqual(['NAME', `${registry.host}/busybox`, `${registry.host}/tools/busybox`, `${registry.host}/tty/busybox`]);
    const two = await cli(['-H', HOST, 'search', '--limit', '2', `${registry.host}/busy`]);
    expect(two.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const none = await cli(['-H', HOST, 'search', `${registry.host}/nothing-like-it`]);
    expect(none.stdout).toBe('NAME\n');
    const hub = await cli(['-H', HOST, 'search', 'busybox']);
    expect(hub.code).toBe(1);
    expect(hub.stderr).toMatch(/name the registry, as in 127\.0\.0\.1:5000\/busybox/);
  });

  it('creates, lists, inspects and removes volumes', async () => {
    const create = await cli(['-H', HOST, 'volume', 'create', '--label', 'tier=db', 'data1']);
    expect([create.code, create.stdout], create.stderr).toEqual([0, 'data1\n']);
    const ls = await cli(['-H', HOST, 'volume', 'ls']);
    expect(ls.stdout).toMatch(/^DRIVER\s+VOLUME NAME\n/);
    expect(ls.stdout).toMatch(/^local\s+data1$/m);
    const inspect = await cli(['-H', HOST, 'volume', 'inspect', 'data1']);
    expect((JSON.parse(inspect.stdout) as Array<{ name: string; labels: Record<string, string> }>)[0]).toMatchObject({ name: 'data1', labels: { tier: 'db' } });
    const rm = await cli(['-H', HOST, 'volume', 'rm', 'data1']);
    expect([rm.code, rm.stdout], rm.stderr).toEqual([0, 'data1\n']);
    expect((await cli(['-H', HOST, 'volume', 'ls', '-q'])).stdout).not.toMatch(/^data1$/m);
  });

  describe('networks: a user-defined network, a published port, names resolved by the network\u2019s DNS', () => {
    /** A /24 in 10.215.0.0/16 no address of this machine is in, derived from the pid (as network-env picks 10.214.x). */
    /** A port free on 127.0.0.1 now: bind port 0 and close it. */
    const freePort = () =>
      new Promise<number>((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
          const { port } = srv.address() as AddressInfo;
          srv.close(() => resolve(port));
        });
      });
    const h = (args: string[]) => cli(['-H', HOST, ...args]);
    let subnet = '';
    let port = 0;
    let apiHostname = '';

    afterAll(async () => {
      await h(['rm', '-f', 'api', 'api-again', 'sidecar']).catch(() => null);
      await h(['network', 'rm', '-f', 'appnet']).catch(() => null);
    });

    it('creates a network with a subnet, prints its id, and lists and inspects it', async () => {
      [subnet] = freeTestSubnets(215) as [string];
      const create = await h(['network', 'create', '--subnet', subnet, '--label', 'tier=app', 'appnet']);
      expect(create.code, create.stderr + agentLog.slice(-2000)).toBe(0);
      expect(create.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      const id = create.stdout.trim();
      const ls = await h(['network', 'ls']);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
      expect(ls.stdout).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+appnet\\s+bridge\\s+local$`, 'm'));
      const quiet = await h(['network', 'ls', '-q', '--no-trunc']);
      expect(quiet.stdout.split('\n')).toContain(id);
      const inspect = await h(['network', 'inspect', 'appnet']);
      expect(inspect.code, inspect.stderr).toBe(0);
      const [doc] = JSON.parse(inspect.stdout) as [Record<string, unknown>];
      expect(doc).toMatchObject({ Name: 'appnet', Id: id, Driver: 'bridge', Scope: 'local', Internal: false, IPAM: { Config: [{ Subnet: subnet }] }, Labels: { tier: 'app' }, Containers: {} });
      const again = await h(['network', 'create', 'appnet']);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/appnet/);
    });

    it('runs a server on it with a port published on 127.0.0.1, reached from here; ps and port show the mapping', async () => {
      port = await freePort();
      const started = await h(['run', '-d', '--network', 'appnet', '--name', 'api', '-p', `127.0.0.1:${port}:80`, image, 'httpd', '-f', '-p', '80', '-h', '/etc']);
      expect(started.code, started.stderr + agentLog.slice(-2000)).toBe(0);
      expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);
      const hostname = await h(['exec', 'api', 'cat', '/etc/hostname']);
      expect(hostname.code, hostname.stderr).toBe(0);
      apiHostname = hostname.stdout.trim();
      expect(apiHostname).not.toBe('');

      // from the test process, to 127.0.0.1 only
      const body = await eventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/hostname`, { signal: AbortSignal.timeout(3000) });
        return res.ok ? res.text() : null;
      }, `GET http://127.0.0.1:${port}/hostname (agent log: ${agentLog.slice(-500)})`);
      expect(body.trim()).toBe(apiHostname);

      const ps = await h(['ps']);
      expect(ps.code, ps.stderr).toBe(0);
      expect(ps.stdout.split('\n')[0]).toMatch(/^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
      expect(ps.stdout).toMatch(new RegExp(`Up .*\\s127\\.0\\.0\\.1:${port}->80/tcp\\s+api$`, 'm'));

      const ports = await h(['port', 'api']);
      expect([ports.code, ports.stdout, ports.stderr]).toEqual([0, `80/tcp -> 127.0.0.1:${port}\n`, '']);
      const one = await h(['port', 'api', '80']);
      expect([one.code, one.stdout]).toEqual([0, `127.0.0.1:${port}\n`]);
      const none = await h(['port', 'api', '81/tcp']);
      expect(none.code).toBe(1);
      expect(none.stderr).toBe("berth: no public port '81/tcp' published for api\n");

      const inspect = JSON.parse((await h(['inspect', 'api'])).stdout) as [{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }];
      const ip = inspect[0].NetworkSettings.Networks.appnet?.IPAddress ?? '';
      expect(ip.split('.').slice(0, 3).join('.')).toBe(subnet.split('.').slice(0, 3).join('.'));
      const net = JSON.parse((await h(['network', 'inspect', 'appnet'])).stdout) as [{ Containers: Record<string, { Name: string; IPv4Address: string }> }];
      expect(Object.values(net[0].Containers)).toEqual([expect.objectContaining({ Name: 'api', IPv4Address: expect.stringMatching(new RegExp(`^${ip.replace(/\./g, '\\.')}/24$`)) })]);
    });

    it('refuses a second container on the same host port', async () => {
      const clash = await h(['run', '-d', '--name', 'api-again', '-p', `127.0.0.1:${port}:80`, image, 'httpd', '-f', '-p', '80']);
      expect(clash.code, clash.stdout).not.toBe(0);
      expect(clash.stderr).toMatch(/port is already allocated/);
      await h(['rm', '-f', 'api-again']);
      // the first one still serves
      const res = await fetch(`http://127.0.0.1:${port}/hostname`, { signal: AbortSignal.timeout(3000) });
      expect((await res.text()).trim()).toBe(apiHostname);
    });

    it('resolves a container\u2019s name through the network\u2019s DNS', async () => {
      const r = await h(['run', '--rm', '--network', 'appnet', image, 'wget', '-q', '-O', '-', 'http://api/hostname']);
      expect(r.code, r.stderr + agentLog.slice(-1000)).toBe(0);
      expect(r.stdout.trim()).toBe(apiHostname);
    });

    it('connects a running container to the network under an alias, and disconnects it', async () => {
      // docker stats' NET I/O: api has served pages by now; docker info names the default bridge
      const stats = await h(['stats', '--no-stream', 'api']);
      expect(stats.stdout).toMatch(/NET I\/O\s+BLOCK I\/O\s+PIDS\n.*\d+(\.\d+)?k?B \/ \d+(\.\d+)?k?B/);
      expect((await h(['info'])).stdout).toMatch(/Default Bridge: btcli\d+ 10\.214\.\d+\.0\/24 \(gateway 10\.214\.\d+\.1\)/);
      const sidecar = await h(['run', '-d', '--name', 'sidecar', image, 'sleep', '1000']);
      expect(sidecar.code, sidecar.stderr).toBe(0);
      const connect = await h(['network', 'connect', '--alias', 'helper', 'appnet', 'sidecar']);
      expect([connect.code, connect.stdout], connect.stderr + agentLog.slice(-1000)).toEqual([0, '']);
      const net = JSON.parse((await h(['network', 'inspect', 'appnet'])).stdout) as [{ Containers: Record<string, { Name: string }> }];
      expect(Object.values(net[0].Containers).map((c) => c.Name).sort()).toEqual(['api', 'sidecar']);
      const byAlias = await h(['run', '--rm', '--network', 'appnet', image, 'nslookup', 'helper']);
      expect(byAlias.code, byAlias.stdout + byAlias.stderr).toBe(0);
      const disconnect = await h(['network', 'disconnect', 'appnet', 'sidecar']);
      expect([disconnect.code, disconnect.stdout], disconnect.stderr).toEqual([0, '']);
      const after = JSON.parse((await h(['network', 'inspect', 'appnet'])).stdout) as [{ Containers: Record<string, { Name: string }> }];
      expect(Object.values(after[0].Containers).map((c) => c.Name)).toEqual(['api']);
      await h(['rm', '-f', 'sidecar']);
    });

    it('refuses to remove the network while api uses it, then removes it; ls shows bridge, host and none', async () => {
      const refused = await h(['network', 'rm', 'appnet']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^berth: .*appnet.*\bapi\b/);
      const rm = await h(['rm', '-f', 'api']);
      expect(rm.code, rm.stderr).toBe(0);
      const removed = await h(['network', 'rm', 'appnet']);
      expect([removed.code, removed.stdout, removed.stderr]).toEqual([0, 'appnet\n', '']);
      const missing = await h(['network', 'rm', 'appnet']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/appnet/);
      expect((await h(['network', 'rm', '-f', 'appnet'])).code).toBe(0);
      const ls = await h(['network', 'ls']);
      expect(ls.code, ls.stderr).toBe(0);
      const names = ls.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[1]);
      expect(names).toEqual(expect.arrayContaining(['bridge', 'host', 'none']));
      expect(names).not.toContain('appnet');
      expect(ls.stdout).toMatch(/^\S+\s+host\s+host\s+local$/m);
      expect(ls.stdout).toMatch(/^\S+\s+none\s+null\s+local$/m);
      const all = await cli(['-H', 'all', 'network', 'ls']);
      expect(all.stdout.split('\n')[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\s+HOST$/);
      expect(all.stdout).toMatch(new RegExp(`\\sbridge\\s+bridge\\s+local\\s+${HOST}$`, 'm'));
    });

    it('prunes unused networks when told to, and asks first otherwise', async () => {
      expect((await h(['network', 'create', 'unused'])).code).toBe(0);
      const asked = await h(['network', 'prune']);
      expect(asked.code).toBe(1);
      expect(asked.stderr).toMatch(/WARNING! This will remove all custom networks not used by at least one container\. Add -f/);
      const prune = await h(['network', 'prune', '-f']);
      expect([prune.code, prune.stdout], prune.stderr).toEqual([0, 'Deleted Networks:\nunused\n']);
      const again = await h(['network', 'prune', '-f']);
      expect([again.code, again.stdout]).toEqual([0, '']);
    });
  });

  describe('attached: run -i, run -it, attach, start -a', () => {
    const h = (args: string[], input?: string) => runCli(['-H', HOST, ...args], env.admin!, input === undefined ? {} : { input });
    const onTerminal = (args: string[]) => runCliOnTerminal(['-H', HOST, ...args], env.admin!, { cols: 91, rows: 27 });
    const until = async (t: { screen(): string }, re: RegExp, what: string) =>
      eventually(async () => re.test(t.screen()), what, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}; the terminal showed ${JSON.stringify(t.screen().slice(-300))}`);
      });

    afterAll(async () => {
      await h(['rm', '-f', 'bg', 'later']).catch(() => null);
    });

    it('echo … | run -i --rm: stdin reaches the process, its end ends it, the exit code and stderr come back', async () => {
      const r = await h(['run', '-i', '--rm', image, 'sh', '-c', 'cat; echo bye >&2; exit 4'], 'hello\nworld\n');
      expect([r.code, r.stdout]).toEqual([4, 'hello\nworld\n']);
      expect(r.stderr).toMatch(/(^|\n)bye\n$/); // after the pull's lines when this test runs alone
      expect((await h(['ps', '-a'])).stdout).not.toMatch(/cat; echo bye/);
    });

    it('run -it on a terminal: the shell’s prompt, keys typed, its terminal size, exit code', async () => {
      const t = await onTerminal(['run', '-it', '--rm', image, 'sh']);
      await until(t, /# /, 'the prompt');
      t.write('stty size; echo $((6*7))\r');
      await until(t, /27 91[\s\S]*42/, 'stty size and 42');
      t.write('exit 3\r');
      expect(await t.exited).toBe(3);
    });

    it('attach to a run -dit container; ctrl-p ctrl-q detaches and it keeps running; start -a runs one attached', async () => {
      expect((await h(['run', '-dit', '--name', 'bg', image, 'sh'])).code).toBe(0);
      const t = await onTerminal(['attach', 'bg']);
      t.write('echo attached-$((1+1))\r');
      await until(t, /attached-2/, 'the echo');
      t.write('\x10\x11');
      expect(await t.exited).toBe(0);
      expect((await h(['ps'])).stdout).toMatch(/Up .* bg$/m);
      expect((await h(['create', '--name', 'later', image, 'sh', '-c', 'echo started attached; exit 5'])).code).toBe(0);
      const started = await h(['start', '-a', 'later']);
      expect([started.code, started.stdout]).toEqual([5, 'started attached\n']);
      // a viewer may not attach
      const v = await runCli(['-H', HOST, 'attach', '--no-stdin', 'bg'], env.viewer!);
      expect(v.code).not.toBe(0);
      expect(v.stderr).toMatch(/needs the operator role/);
    });
  });

  it('records every change in the audit log, without env values', async () => {
    const entries = await t().db.auditEntry.findMany({ orderBy: { id: 'asc' } });
    const actions = entries.map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['image.push:ok', 'container.commit:ok', 'image.pull:ok', 'container.create:ok', 'container.start:ok', 'container.exec:ok', 'container.stop:ok', 'container.remove:ok', 'image.tag:ok', 'image.remove:ok', 'container.create:refused']));
    expect(entries.find((e) => e.action === 'container.stop')).toMatchObject({ actorName: 'admin', source: 'cli', objectType: 'container', objectId: 'web' });
    expect(JSON.stringify(entries, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('hunter2');
    const verify = await cli(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  });
});

/** Where cgroup hierarchies are mounted (v1 controllers and the v2 tree). */
async function cgroupRoots(): Promise<string[]> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n');
  return mounts.filter((l) => / - cgroup2? /.test(l)).map((l) => l.split(' ')[4]!).filter(Boolean);
}

/** SIGKILLs the processes in a cgroup and its children: only ever this test's cgroups. */
async function killCgroupTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries) return;
  for (const e of entries) if (e.isDirectory()) await killCgroupTree(join(dir, e.name));
  for (const pid of (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Removes a cgroup directory and its children, deepest first (rmdir is how cgroups go). */
async function rmCgroupTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries) return;
  for (const e of entries) if (e.isDirectory()) await rmCgroupTree(join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}
