import { expect, test } from '@playwright/test';
import { changeHeaders } from './api.ts';
import { startAgent } from './fleet.ts';
import { signIn } from './sign-in.ts';

test('a host joining and leaving shows up in the open dashboard without a reload', async ({ page }) => {
  await signIn(page);
  // an admin creates a join token through the API, with the browser's session
  const res = await page.request.post('/api/trpc/hosts.createJoinToken', { data: { json: { hostName: 'e2e-extra' } }, headers: await changeHeaders(page.request) });
  expect(res.ok()).toBe(true);
  const token = ((await res.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;

  const agent = await startAgent('e2e-extra', token, page.url());
  try {
    const row = page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: /e2e-extra/ });
    // the list polls only every 60 s: seeing it sooner means the event stream delivered it
    await expect(row.getByText('online')).toBeVisible({ timeout: 10_000 });
    await agent.stop();
    await expect(row.getByText('offline')).toBeVisible({ timeout: 5_000 });
  } finally {
    await agent.dispose();
  }
});
