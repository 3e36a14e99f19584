import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser, systemActor } from '@berth/core';
import { useTestDatabase } from '@berth/testing/db';
import { runCli, startGateway, type RunningGateway } from '@berth/testing/fleet';

describe('berth user, team, token and host move against a control plane', () => {
  const t = useTestDatabase();
  let gw: RunningGateway;
  let admin: Record<string, string>;
  const as = (token: string) => ({ BERTH_URL: gw.url, BERTH_TOKEN: token, BERTH_CONFIG: '/nonexistent/config.json' });

  beforeAll(async () => {
    gw = await startGateway({ databaseUrl: t().url });
    const u = await createUser(systemActor(), { username: 'root', password: 'a-long-password', role: 'admin' }, t().db);
    admin = as((await createApiToken({ kind: 'user', id: u.id, name: 'root', role: 'admin', source: 'cli', remoteAddr: null }, { name: 'cli' }, t().db)).token);
  });
  afterAll(() => gw?.stop());

  it('creates a team and a user in it, lists them, invites with a link, and refuses what a team member may not do', async () => {
    expect(await runCli(['team', 'create', 'payments'], admin)).toMatchObject({ code: 0, stdout: 'payments\n' });
    const created = await runCli(['user', 'create', 'alice', '--team', 'payments', '--team-role', 'admin', '--password-stdin'], admin, { input: 'alice-password\n' });
    expect(created).toMatchObject({ code: 0, stdout: 'alice created\n' });
    const generated = await runCli(['user', 'create', 'bob'], admin);
    expect(generated.stdout).toMatch(/^bob created\npassword: [A-Za-z0-9_-]{20}\n/);
    const users = await runCli(['user', 'ls'], admin);
    expect(users.stdout).toMatch(/^alice\s+-\s+payments:admin\s/m);
    expect(users.stdout).toMatch(/^root\s+admin\s+-\s/m);
    const bad = await runCli(['user', 'create', 'x', '--role', 'boss'], admin);
    expect(bad).toMatchObject({ code: 1, stderr: 'berth: user create: --role is one of admin, operator, viewer, none, not "boss"\n' });

    const invite = await runCli(['team', 'invite', 'payments', '--role', 'operator', '--expires', '2d'], admin);
    expect(invite.code, invite.stderr).toBe(0);
    expect(invite.stdout).toMatch(new RegExp(`^${gw.url}/invite/bi_[A-Za-z0-9_-]+\\n\\(operator of payments, valid until `));
    expect((await runCli(['team', 'invite', 'ls', 'payments'], admin)).stdout).toMatch(/operator\s+pending/);

    // alice, a team admin with a token of her own, manages her team but is no site admin
    const alice = (await t().db.user.findUniqueOrThrow({ where: { username: 'alice' } }));
    const aliceEnv = as((await createApiToken({ kind: 'user', id: alice.id, name: 'alice', role: null, source: 'cli', remoteAddr: null }, { name: 'cli' }, t().db)).token);
    expect((await runCli(['team', 'member', 'add', 'payments', 'bob', '--role', 'viewer'], aliceEnv)).stdout).toBe('bob is viewer of payments\n');
    expect((await runCli(['team', 'member', 'ls', 'payments'], aliceEnv)).stdout).toMatch(/alice\s+admin[\s\S]*bob\s+viewer/);
    expect((await runCli(['team', 'ls'], aliceEnv)).stdout).toMatch(/^payments\s+2\s+0\s+admin\s/m);
    expect((await runCli(['team', 'ls'], aliceEnv)).stdout).not.toContain('default');
    const refused = await runCli(['team', 'create', 'mine'], aliceEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('creating a team needs the admin role; alice is without a site role');
    const joinToken = await runCli(['host', 'join-token'], aliceEnv);
    expect(joinToken.stdout).toMatch(/joins team payments\)\n$/);
    expect((await runCli(['hosts'], aliceEnv)).stdout).not.toMatch(/^\S+\s+\S+\s+default/m);
  }, 300_000); // each CLI call starts node with tsx

  it('makes scoped tokens, lists them by prefix and revokes them', async () => {
    const made = await runCli(['token', 'create', 'read-only', '--scope', 'viewer', '--expires', '12h'], admin);
    expect(made.code, made.stderr).toBe(0);
    const secret = made.stdout.split('\n')[0]!;
    expect(secret).toMatch(/^berth_/);
    expect(made.stdout).toContain('(scope viewer, valid until ');
    const ro = as(secret);
    const team = await runCli(['team', 'create', 'nope'], ro);
    expect(team.stderr).toContain('creating a team needs the admin role; root is viewer (through a token scoped to viewer)');
    const ls = await runCli(['token', 'ls'], admin);
    // used once (the refused team create), expiring in 12 hours
    expect(ls.stdout).toMatch(new RegExp(`read-only\\s+${secret.slice(0, 12)}\\s+viewer\\s+\\d+ \\w+ ago\\s+\\S+Z\\s+active`));
    expect((await runCli(['token', 'rm', 'read-only'], admin)).stdout).toBe('read-only revoked\n');
    const after = await runCli(['team', 'ls'], ro);
    expect(after.code).toBe(1);
    expect((await runCli(['token', 'ls'], admin)).stdout).toMatch(/read-only.*revoked/);
  }, 180_000);

  it('moves a host to another team and refuses to remove a team that owns hosts', async () => {
    const def = await t().db.team.findUniqueOrThrow({ where: { name: 'default' } });
    await t().db.host.create({ data: { name: 'web-1', teamId: def.id } });
    expect((await runCli(['host', 'move', 'web-1', 'payments'], admin)).stdout).toBe('web-1 now belongs to team payments\n');
    expect((await runCli(['hosts'], admin)).stdout).toMatch(/^web-1\s+pending\s+payments\s/m);
    const rm = await runCli(['team', 'rm', 'payments'], admin);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('team payments owns 1 host (web-1): move them to another team');
  }, 180_000);
});
