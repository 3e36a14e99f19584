import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createJoinToken, createUser, systemActor, type Actor } from '@berth/core';
import { ServiceLabels } from '@berth/protocol';
import { useTestDatabase } from '@berth/testing/db';
import { eventually, runCli, startGateway, startLabAgent, type RunningGateway } from '@berth/testing/fleet';
import { buildBusyboxImage, pushImage } from '@berth/testing/images';
import { useLab, type LabProcess } from '@berth/testing/lab';
import { startRegistry, type RunningRegistry } from '@berth/testing/registry';

// ends at once on SIGTERM (a shell as PID 1 ignores it otherwise, and stop would wait 10 s)
const TRAPPED = 'trap "exit 0" TERM; sleep 100000 & wait';

interface Replica { id: string; slot: number; host: string; name: string; version: number; desired: string; state: string }

/**
 * Desired state on the lab's real hosts: a service declared once is placed across hosts by the
 * reconciler in the gateway, kept at its count when a replica dies, moved off a host that went
 * away, and rolled back by itself when an update's replicas fail.
 */
// each test waits on real hosts converging, several times over: minutes under load, not seconds
describe('services on three lab hosts', { timeout: 240_000 }, () => {
  const t = useTestDatabase();
  const lab = useLab(3);
  let gw: RunningGateway;
  let registry: RunningRegistry;
  let cliEnv: Record<string, string>;
  let ref: string;
  let dir = '';
  let keyFile = '';
  const others: RunningGateway[] = [];
  const agents = new Map<string, LabProcess>();
  const cli = async (...args: string[]) => {
    const r = await runCli(args, cliEnv);
    expect(r.code, `berth ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const service = async (name: string) => JSON.parse(await cli('service', 'inspect', name))[0] as { version: number; updateState: string | null; replicas: Replica[]; events: { kind: string; message: string }[]; spec: { image: string } };
  const running = (s: { version: number; replicas: Replica[] }) => s.replicas.filter((r) => r.desired === 'running' && r.state === 'running');
  /** Every host's containers that carry the service's labels, as the agents report them. */
  const replicaContainers = async (name: string) => {
    const rows = await t().db.$queryRaw<{ host: string; state: string; cname: string }[]>`
      SELECT h.name AS host, c->>'state' AS state, c->>'name' AS cname FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'containers', '[]'::jsonb)) c
      WHERE c->'labels'->>${ServiceLabels.service} = ${name}`;
    return rows;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-stack-'));
    keyFile = join(dir, 'secret.key');
    await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
    registry = await startRegistry({ bind: lab().gateway });
    const image = await buildBusyboxImage();
    await pushImage(image, registry.url, 'team/busybox', 'latest');
    // pulled only late in the run, by a leader that holds no host (through the outbox)
    await pushImage(image, registry.url, 'team/busybox', 'v2');
    ref = `${registry.host}/team/busybox:latest`;
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway, env: { BERTH_HEARTBEAT_MS: '500', BERTH_OFFLINE_AFTER_MS: '2000', BERTH_RESCHEDULE_AFTER_MS: '3000', BERTH_SECRET_KEY_FILE: keyFile } });
    const u = await createUser(systemActor(), { username: 'ops', password: 'a-long-password', role: 'admin' }, t().db);
    const admin: Actor = { kind: 'user', id: u.id, name: u.username, role: 'admin', source: 'cli', remoteAddr: null };
    const token = await createApiToken(admin, { name: 'test' }, t().db);
    cliEnv = { BERTH_URL: gw.url, BERTH_TOKEN: token.token, BERTH_CONFIG: '/nonexistent/config.json' };
    for (const h of lab().hosts) {
      const jt = await createJoinToken(admin, { hostName: h.name }, t().db);
      agents.set(h.name, startLabAgent(h, { wsUrl: gw.wsUrl, joinToken: jt.token, env: { BERTH_INSECURE_REGISTRIES: registry.host } }));
    }
    for (const h of lab().hosts) await eventually(async () => (await t().db.host.findFirst({ where: { name: h.name, status: 'online' } })) ?? null, `${h.name} online`, 60_000);
  });

  afterAll(async () => {
    // the reconciler removes what it made once the services are gone
    await runCli(['service', 'rm', 'web', 'zoned', 'keyed'], cliEnv).catch(() => undefined);
    await runCli(['stack', 'rm', 'shop'], cliEnv).catch(() => undefined);
    await eventually(async () => (await t().db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'containers', '[]'::jsonb)) c WHERE (c->'labels') ? ${ServiceLabels.serviceId}`)[0]!.n === 0n, 'replicas removed', 60_000).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
    await Promise.all([...agents.values()].map((a) => a.stop()));
    for (const g of others) await g.stop();
    await gw?.stop();
    await registry?.stop();
  });

  it('creates a service whose replicas spread over the hosts, pulling the image where it is missing', async () => {
    const out = await runCli(['service', 'create', '--name', 'web', '--replicas', '3', '--update-monitor', '1s', ref, 'sh', '-c', TRAPPED], cliEnv);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/web: converged \(3\/3 running\)/);
    const s = await service('web');
    expect(running(s).map((r) => r.host).sort()).toEqual(['h1', 'h2', 'h3']);
    expect((await replicaContainers('web')).filter((c) => c.state === 'running')).toHaveLength(3);
    const ls = await cli('service', 'ls');
    expect(ls).toMatch(/^\w{12}\s+web\s+replicated\s+3\/3\s+/m);
    const ps = await cli('service', 'ps', 'web');
    expect(ps).toMatch(/web\.1\s+\S+\s+h\d\s+Running\s+Running/);
  });

  it('replaces a replica whose container is killed behind its back', async () => {
    const before = running(await service('web'));
    const victim = before[0]!;
    const victimHost = lab().host(victim.host);
    const kill = await runCli(['-H', victim.host, 'rm', '-f', victim.name], cliEnv);
    expect(kill.code, kill.stderr).toBe(0);
    const after = await eventually(async () => {
      const s = await service('web');
      const r = running(s);
      return r.length === 3 && !r.some((x) => x.id === victim.id) ? s : null;
    }, 'the replica replaced', 60_000);
    expect(after.events.some((e) => e.kind === 'replaced' && e.message.includes(victim.name))).toBe(true);
    expect(victimHost).toBeDefined();
  });

  it('scales down and up without touching the replicas that stay', async () => {
    const keep = running(await service('web')).filter((r) => r.slot <= 2).map((r) => r.id).sort();
    await cli('service', 'scale', 'web=2');
    await eventually(async () => (await replicaContainers('web')).length === 2, 'two replicas left', 60_000).catch(async (err) => {
      console.log(JSON.stringify(await service('web'), null, 1), await replicaContainers('web'));
      throw err;
    });
    expect(running(await service('web')).map((r) => r.id).sort()).toEqual(keep);
    await cli('service', 'scale', 'web=3');
    expect(running(await service('web'))).toHaveLength(3);
  });

  it('rolls back by itself when the new version fails, and keeps serving meanwhile', async () => {
    const before = await service('web');
    // a command that is not in the image: every replica of the new version exits 127
    const r = await runCli(['service', 'update', '--image', `${registry.host}/team/busybox:latest`, '--update-failure-action', 'rollback', '--update-monitor', '2s', 'web'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    const v2 = await service('web');
    expect(v2.version).toBe(before.version + 1);
    // now a broken one: the entrypoint does not exist
    const cur = JSON.parse(await cli('service', 'inspect', 'web'))[0] as { spec: Record<string, unknown> & { container: Record<string, unknown> } };
    const broken = { ...cur.spec, container: { ...cur.spec.container, cmd: ['/no/such/binary'] } };
    const token = cliEnv.BERTH_TOKEN!;
    const res = await fetch(`${gw.url}/api/trpc/services.update`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: { name: 'web', spec: broken, expectedVersion: v2.version } }),
    });
    expect(res.status).toBe(200);
    const rolled = await eventually(async () => {
      const s = await service('web');
      return s.updateState === 'rollback_completed' ? s : null;
    }, 'automatic rollback', 90_000);
    expect(rolled.version).toBe(v2.version + 2);
    expect(rolled.events.some((e) => e.kind === 'version' && /rollback to version/.test(e.message))).toBe(true);
    expect(running(rolled)).toHaveLength(3);
    // a write made from a stale read is refused, never silently applied
    const stale = await fetch(`${gw.url}/api/trpc/services.update`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: { name: 'web', spec: cur.spec, expectedVersion: v2.version } }),
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toMatch(/changed meanwhile.*reload/);
  });

  it('moves the replicas of a host that went offline, and places by label constraints', async () => {
    await cli('host', 'update', '--label-add', 'zone=eu', 'h1');
    await cli('host', 'update', '--label-add', 'zone=eu', 'h2');
    const create = await runCli(['service', 'create', '--name', 'zoned', '--replicas', '2', '--constraint', 'node.labels.zone==eu', ref, 'sh', '-c', TRAPPED], cliEnv);
    expect(create.code, create.stderr).toBe(0);
    expect(running(await service('zoned')).map((r) => r.host).sort()).toEqual(['h1', 'h2']);
    // h3 takes a zone too, then h2 drops off the network: its replica goes to h3 after the grace period
    await cli('host', 'update', '--label-add', 'zone=eu', 'h3');
    await lab().host('h2').cutLink();
    try {
      const moved = await eventually(async () => {
        const s = await service('zoned');
        const r = running(s);
        return r.length === 2 && r.every((x) => x.host !== 'h2') ? r : null;
      }, 'replica moved off h2', 60_000);
      expect(moved.map((r) => r.host).sort()).toEqual(['h1', 'h3']);
    } finally {
      await lab().host('h2').restoreLink();
    }
    // when h2 is back, its stale replica is removed rather than left running as a duplicate
    await eventually(async () => (await replicaContainers('zoned')).filter((c) => c.host === 'h2').length === 0, 'stale replica on h2 removed', 60_000);
    expect((await replicaContainers('zoned')).filter((c) => c.state === 'running')).toHaveLength(2);
  });

  it('gives a service a secret made from stdin, replaces its replica when the secret is rotated, and removes the secret once unused', async () => {
    const made = await runCli(['secret', 'create', 'api_key', '-'], cliEnv, { input: 'key-one' });
    expect(made.code, made.stderr).toBe(0);
    expect((await runCli(['secret', 'create', 'api_key_v2', '-'], cliEnv, { input: 'key-two' })).code).toBe(0);
    // docker's refusal: a secret is immutable
    const again = await runCli(['secret', 'create', 'api_key', '-'], cliEnv, { input: 'other' });
    expect(again.stderr).toMatch(/secret api_key exists already: secrets cannot be changed/);
    const missing = await runCli(['service', 'create', '--name', 'keyed', '--secret', 'nosuch', ref, 'true'], cliEnv);
    expect(missing.stderr).toMatch(/no secret nosuch: create it first with `berth secret create nosuch FILE`/);
    await cli('service', 'create', '--name', 'keyed', '--constraint', 'node.hostname==h2', '--secret', 'source=api_key,target=key,mode=0400', '--update-monitor', '1s', ref, 'sh', '-c', TRAPPED);
    const first = running(await service('keyed'))[0]!;
    expect(await cli('-H', 'h2', 'exec', first.name, 'cat', '/run/secrets/key')).toBe('key-one');
    // rotation as docker does it: the new secret under the old file name, a rolling update
    const rotated = await runCli(['service', 'update', '--secret-rm', 'api_key', '--secret-add', 'source=api_key_v2,target=key', 'keyed'], cliEnv);
    // on a failure, the service's events say which replica failed and why
    expect(rotated.code, `${rotated.stderr}${rotated.code ? (await service('keyed')).events.map((e) => `\n  ${e.kind}: ${e.message}`).join('') : ''}`).toBe(0);
    const second = running(await service('keyed'))[0]!;
    expect(second.name).not.toBe(first.name);
    expect(await cli('-H', 'h2', 'exec', second.name, 'cat', '/run/secrets/key')).toBe('key-two');
    expect(JSON.parse(await cli('-H', 'h2', 'inspect', second.name))[0].Mounts).toContainEqual({ Type: 'secret', Name: 'api_key_v2', Destination: '/run/secrets/key', RW: false, Mode: '0444', UID: '0', GID: '0' });
    await cli('secret', 'rm', 'api_key');
    expect(await cli('secret', 'ls')).not.toMatch(/api_key\s/);
    await cli('service', 'rm', 'keyed');
    await cli('secret', 'rm', 'api_key_v2');
  });

  it('deploys a three-service compose stack across the hosts, in dependency order, and names the line of a mistake', async () => {
    const file = join(dir, 'docker-compose.yml');
    await writeFile(join(dir, 'api.env'), 'GREETING=hello from the env file\n');
    await writeFile(join(dir, 'db_password.txt'), 'correct horse battery staple\n');
    await writeFile(file, [
      'services:',
      '  web:',
      `    image: ${ref}`,
      `    command: ["sh", "-c", ${JSON.stringify(TRAPPED)}]`,
      '    depends_on:',
      '      api: { condition: service_healthy }',
      '    deploy:',
      '      replicas: 3',
      '      placement: { max_replicas_per_node: 1 }',
      '  api:',
      `    image: ${ref}`,
      `    command: ["sh", "-c", ${JSON.stringify(TRAPPED)}]`,
      '    env_file: api.env',
      '    networks: [back]',
      '    healthcheck: { test: ["CMD", "true"], interval: 300ms, retries: 2 }',
      '    deploy: { replicas: 2 }',
      '    secrets: [db_password]',
      '    configs: [{ source: app_conf, target: /etc/app.conf, mode: 0440 }]',
      '  db:',
      `    image: ${ref}`,
      `    command: ["sh", "-c", ${JSON.stringify(TRAPPED)}]`,
      '    volumes: [data:/data]',
      '    logging: { driver: syslog }',
      '    deploy:',
      '      placement: { constraints: [node.hostname == h1] }',
      'volumes:',
      '  data: {}',
      'networks:',
      '  back: {}',
      'secrets:',
      '  db_password: { file: ./db_password.txt }',
      'configs:',
      '  app_conf: { content: "level=debug" }',
      '',
    ].join('\n'));
    const deploy = await runCli(['stack', 'deploy', '-c', file, 'shop'], cliEnv);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toMatch(/Creating service shop_web/);
    // what berth does not carry out is said, with its line
    expect(deploy.stderr).toMatch(/Ignoring services\.db\.logging \(line 23\)/);
    const services = await eventually(async () => {
      const out = await cli('stack', 'services', 'shop');
      return /shop_api\s+replicated\s+2\/2/.test(out) && /shop_db\s+replicated\s+1\/1/.test(out) && /shop_web\s+replicated\s+3\/3/.test(out) ? out : null;
    }, 'the stack converged', 120_000);
    expect(services).toBeTruthy();
    const web = await service('shop_web');
    expect(running(web).map((r) => r.host).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(running(await service('shop_db')).map((r) => r.host)).toEqual(['h1']);
    // web waited for a healthy api: its first replica started after api's first was healthy
    const api = await service('shop_api');
    const firstWeb = Math.min(...web.replicas.map((r) => Date.parse((r as unknown as { createdAt: string }).createdAt)));
    const firstApiReady = Math.min(...api.replicas.filter((r) => (r as unknown as { readyAt: string | null }).readyAt).map((r) => Date.parse((r as unknown as { readyAt: string }).readyAt)));
    expect(firstWeb).toBeGreaterThanOrEqual(firstApiReady);
    const ps = await cli('stack', 'ps', 'shop');
    expect(ps.split('\n').filter((l) => / Running {2,}Running /.test(l))).toHaveLength(6);
    // the stack's secret and config, named STACK_NAME, are files in api's replicas where the
    // compose file put them, and nowhere readable in the database, the audit log or the outbox
    for (const r of running(api)) {
      expect(await cli('-H', r.host, 'exec', r.name, 'cat', '/run/secrets/db_password')).toBe('correct horse battery staple\n');
      expect(await cli('-H', r.host, 'exec', r.name, 'stat', '-c', '%a %s', '/etc/app.conf')).toBe('440 11\n');
    }
    expect(await cli('secret', 'ls')).toMatch(/shop_db_password\s+29 B\s+.*shop_api/);
    expect(await cli('config', 'ls')).toMatch(/shop_app_conf\s+11 B/);
    const inUse = await runCli(['secret', 'rm', 'shop_db_password'], cliEnv);
    expect(inUse.stderr).toMatch(/secret shop_db_password is in use by the service shop_api/);
    const dump = JSON.stringify(await t().db.$queryRaw`SELECT (SELECT json_agg(s) FROM secrets s) AS s, (SELECT json_agg(a) FROM audit_entries a) AS a, (SELECT json_agg(c) FROM commands c) AS c, (SELECT json_agg(v) FROM service_versions v) AS v`);
    expect(dump).not.toMatch(/correct horse|Y29ycmVjdCBob3Jz|level=debug|bGV2ZWw9ZGVidWc/);
    // a mistake is one error with its line and key, and nothing changes
    await writeFile(file, `services:\n  web:\n    image: ${ref}\n    ports: ["80:80:80"]\n`);
    const bad = await runCli(['stack', 'deploy', '-c', file, 'shop'], cliEnv);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/docker-compose\.yml:4:\d+: services\.web\.ports\[0\]/);
    expect((await service('shop_web')).version).toBe(web.version);

    // stack rm takes away what the stack made: replicas, the networks on each host, its secrets
    const networks = async () => (await t().db.$queryRaw<{ host: string; name: string }[]>`
      SELECT h.name AS host, n->>'name' AS name FROM hosts h, jsonb_array_elements(COALESCE(h.inventory->'networks', '[]'::jsonb)) n
      WHERE (n->'labels') ? 'berth.stack.network'`).map((n) => `${n.host}:${n.name}`).sort();
    // web and db are on the stack's default network, api on back only
    expect(await networks()).toEqual(expect.arrayContaining([...running(api).map((r) => `${r.host}:shop_back`), 'h1:shop_default', 'h2:shop_default', 'h3:shop_default']));
    expect((await networks()).filter((n) => n.endsWith(':shop_back'))).toHaveLength(new Set(running(api).map((r) => r.host)).size);
    await cli('stack', 'rm', 'shop');
    await eventually(async () => (await networks()).length === 0 && (await replicaContainers('shop_api')).length === 0, 'the stack gone from the hosts', 90_000);
    expect(await cli('secret', 'ls')).not.toMatch(/shop_db_password/);
    expect(await cli('config', 'ls')).not.toMatch(/shop_app_conf/);
  });

  it('runs one reconciler among gateways; when the leader dies mid-rollout another finishes it without duplicates', async () => {
    const port = Number(new URL(gw.url).port);
    const env = { BERTH_HEARTBEAT_MS: '500', BERTH_OFFLINE_AFTER_MS: '2000', BERTH_RESCHEDULE_AFTER_MS: '3000', BERTH_SECRET_KEY_FILE: keyFile };
    // the hosts are away while the first gateway is down: a longer grace than the other tests' keeps their replicas put
    const second = await startGateway({ databaseUrl: t().url, bind: lab().gateway, env: { ...env, BERTH_RESCHEDULE_AFTER_MS: '60000' } });
    others.push(second);
    await new Promise((r) => setTimeout(r, 3000));
    expect(gw.log()).toMatch(/leading: the reconciler runs here/);
    expect(second.log()).not.toMatch(/leading/);
    const before = await service('web');
    // --force makes a new template: every replica is replaced, one at a time, start-first
    const upd = await runCli(['service', 'update', '--force', '--update-parallelism', '1', '--update-order', 'start-first', '--update-monitor', '3s', '-d', 'web'], cliEnv);
    expect(upd.code, upd.stderr).toBe(0);
    await eventually(async () => {
      const s = await service('web');
      return s.replicas.some((r) => r.desired === 'running' && r.state === 'running' && r.version > before.version) ? s : null;
    }, 'the rollout under way', 60_000);
    await gw.stop();
    await eventually(async () => /leading: the reconciler runs here/.test(second.log()), 'the second gateway leads', 20_000);
    // the agents dial the first gateway's address: a gateway that does not lead takes them back
    gw = await startGateway({ databaseUrl: t().url, bind: lab().gateway, port, env: { ...env, BERTH_RECONCILER: '0' } });
    const done = await eventually(async () => {
      const s = await service('web');
      return s.updateState === 'completed' && running(s).length === 3 && running(s).every((r) => r.version > before.version) ? s : null;
    }, 'the rollout finished by the second gateway', 120_000).catch(async (err) => {
      const s = await service('web');
      console.error('DIAG service', JSON.stringify({ updateState: s.updateState, version: s.version, replicas: s.replicas.map((r) => ({ slot: r.slot, host: r.host, state: r.state, desired: r.desired, version: r.version, error: (r as { error?: string }).error })) }, null, 1));
      console.error('DIAG second log tail', second.log().split('\n').slice(-60).join('\n'));
      throw err;
    });
    expect(new Set(running(done).map((r) => r.slot))).toEqual(new Set([1, 2, 3]));
    // exactly three running containers of the service on the hosts, none made twice; every
    // container it has is a replica on record (failed ones stay as history, for their logs)
    await eventually(async () => (await replicaContainers('web')).filter((c) => c.state === 'running').length === 3, 'old replicas gone', 60_000);
    const recorded = new Set((await service('web')).replicas.map((r) => r.name));
    expect((await replicaContainers('web')).filter((c) => !recorded.has(c.cname))).toEqual([]);

    // a new image no host has: the leader holds no host, so the pulls go through the outbox
    // to the gateway that does, and service ps shows each replica's image
    const v2 = ref.replace(/:latest$/, ':v2');
    const rolled = await runCli(['service', 'update', '--image', v2, '--update-parallelism', '0', 'web'], cliEnv);
    expect(rolled.code, rolled.stderr).toBe(0);
    const ps = await cli('service', 'ps', 'web');
    expect(ps.split('\n').filter((l) => l.includes(v2) && / Running {2,}Running /.test(l))).toHaveLength(3);
  });
});
