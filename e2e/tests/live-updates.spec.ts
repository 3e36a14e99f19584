import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { signIn } from './sign-in.ts';

const root = join(import.meta.dirname, '../..');

test('a host joining and leaving shows up in the open dashboard without a reload', async ({ page }) => {
  await signIn(page);
  // an admin creates a join token through the API, with the browser's session
  const res = await page.request.post('/api/trpc/hosts.createJoinToken', { data: { json: { hostName: 'e2e-extra' } } });
  expect(res.ok()).toBe(true);
  const token = ((await res.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;

  const state = await mkdtemp(join(tmpdir(), 'berth-e2e-agent-'));
  const url = new URL(page.url());
  const agent = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/agent/src/main.ts')], {
    env: { ...process.env, BERTH_CONTROL_PLANE: `ws://${url.host}/agent`, BERTH_HOST_NAME: 'e2e-extra', BERTH_JOIN_TOKEN: token, BERTH_STATE_DIR: state, BERTH_CGROUP_PARENT: `berth-e2e-extra-${process.env.BERTH_E2E_RUN}`, BERTH_BRIDGE: 'none' /* no container networking needed here */ },
    stdio: 'ignore',
  });
  try {
    const row = page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: /e2e-extra/ });
    // the list polls only every 60 s: seeing it sooner means the event stream delivered it
    await expect(row.getByText('online')).toBeVisible({ timeout: 10_000 });
    const stopped = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await stopped;
    await expect(row.getByText('offline')).toBeVisible({ timeout: 5_000 });
  } finally {
    if (agent.exitCode === null) agent.kill('SIGKILL');
    await rm(state, { recursive: true, force: true });
  }
});
