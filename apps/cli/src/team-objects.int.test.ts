// --team on service create, stack deploy, secret/config create, and the TEAM column of their
// lists, against a control plane (no hosts: nothing here needs a replica to run).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createTeam, createUser, systemActor } from '@berth/core';
import type { TeamRole } from '@berth/db';
import { useTestDatabase } from '@berth/testing/db';
import { runCli, startGateway, type RunningGateway } from '@berth/testing/fleet';

describe('berth service, stack, secret and config in teams', () => {
  const t = useTestDatabase();
  let gw: RunningGateway;
  let dir = '';
  const env: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-team-objects-'));
    const keyFile = join(dir, 'secret.key');
    await writeFile(keyFile, randomBytes(32), { mode: 0o600 });
    gw = await startGateway({ databaseUrl: t().url, env: { BERTH_SECRET_KEY_FILE: keyFile } });
    const db = t().db;
    const def = await db.team.findUniqueOrThrow({ where: { name: 'default' } });
    const b = await createTeam(systemActor(), { name: 'b' }, db);
    const user = async (username: string, teams: Record<string, TeamRole>) => {
      const u = await createUser(systemActor(), { username, password: 'a-long-password', role: null }, db);
      for (const [teamId, role] of Object.entries(teams)) await db.membership.create({ data: { userId: u.id, teamId, role } });
      const { token } = await createApiToken({ kind: 'user', id: u.id, name: username, role: null, teams, source: 'cli', remoteAddr: null }, { name: 'cli' }, db);
      env[username] = { BERTH_URL: gw.url, BERTH_TOKEN: token, BERTH_CONFIG: '/nonexistent/config.json' };
    };
    await user('carol', { [def.id]: 'operator', [b.id]: 'operator' });
    await user('bob', { [b.id]: 'owner' });
    await user('alice', { [def.id]: 'operator' });
  });
  afterAll(async () => {
    await gw?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // each CLI run is a node process: generous limits for a loaded machine
  it('service create: asks a member of two teams which one, takes --team; service ls shows the TEAM', async () => {
    const refused = await runCli(['service', 'create', '--name', 'web', '-d', 'busybox'], env.carol!);
    expect(refused).toMatchObject({ code: 1, stderr: 'berth: creating a service: you are operator or more in teams b, default: pass --team TEAM (`team` in the API) to say which\n' });
    const made = await runCli(['service', 'create', '--name', 'web', '--team', 'b', '-d', 'busybox'], env.carol!);
    expect(made.code, made.stderr).toBe(0);
    // one team: no --team needed
    expect((await runCli(['service', 'create', '--name', 'api', '-d', 'busybox'], env.alice!)).code).toBe(0);
    const ls = await runCli(['service', 'ls'], env.carol!);
    expect(ls.stdout).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS\s+TEAM$/m);
    expect(ls.stdout).toMatch(/^\w{12}\s+api\s+replicated\s+0\/1\s+busybox\s+default$/m);
    expect(ls.stdout).toMatch(/^\w{12}\s+web\s+replicated\s+0\/1\s+busybox\s+b$/m);
    // bob sees only team b's; alice's is unknown to him
    expect((await runCli(['service', 'ls'], env.bob!)).stdout).not.toMatch(/\bapi\b/);
    expect(await runCli(['service', 'rm', 'api'], env.bob!)).toMatchObject({ code: 1, stderr: 'berth: no such service: api (berth service ls lists them)\n' });
    expect((await runCli(['service', 'update', '--team', 'default', 'web'], env.carol!)).stderr).toMatch(/--team is for create/);
  }, 180_000);

  it('secret and config create take --team; ls shows the TEAM; another team\'s secret cannot be mounted', async () => {
    expect((await runCli(['secret', 'create', 'pw', '-'], env.carol!, { input: 'x' })).stderr).toMatch(/creating a secret: you are operator or more in teams b, default/);
    expect((await runCli(['secret', 'create', '--team', 'b', 'pw', '-'], env.carol!, { input: 's3cret' })).code).toBe(0);
    expect((await runCli(['config', 'create', '--team', 'b', 'conf', '-'], env.carol!, { input: 'level=1' })).code).toBe(0);
    expect((await runCli(['secret', 'ls'], env.bob!)).stdout).toMatch(/^\S+\s+pw\s+6 B\s+.*\bb$/m);
    expect((await runCli(['config', 'ls'], env.alice!)).stdout).not.toMatch(/conf/);
    // alice cannot mount team b's secret: as if it did not exist
    expect((await runCli(['service', 'create', '--name', 'xx', '--secret', 'pw', '-d', 'busybox'], env.alice!)).stderr).toBe('berth: service xx: no secret pw: create it first with `berth secret create pw FILE`\n');

  }, 180_000);

  it('stack deploy takes --team for a new stack, keeps a stack in its team; stack ls shows the TEAM', async () => {
    const compose = join(dir, 'compose.yml');
    await writeFile(compose, 'services:\n  api:\n    image: busybox\n');
    expect((await runCli(['stack', 'deploy', '-c', compose, 'shop'], env.carol!)).stderr).toMatch(/deploying a stack: you are operator or more in teams b, default/);
    const deployed = await runCli(['stack', 'deploy', '-c', compose, '--team', 'b', 'shop'], env.carol!);
    expect(deployed).toMatchObject({ code: 0, stdout: 'Creating service shop_api\n' });
    expect((await runCli(['stack', 'ls'], env.bob!)).stdout).toMatch(/^NAME\s+SERVICES\s+TEAM\nshop\s+1\s+b\n$/);
    expect((await runCli(['stack', 'deploy', '-c', compose, '--team', 'default', 'shop'], env.carol!)).stderr).toBe('berth: stack shop belongs to team b: it cannot be deployed into team default; deploy it without --team, or remove it first (berth stack rm shop)\n');
  }, 180_000);
});
