import { expect, test } from '@playwright/test';
import { HOST, pullTestImage, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

const NAME = 'e2e-health';

test.describe('container healthchecks on a real agent', () => {
  // skipped without the test registry; what this test makes is removed before and after it
  usesStackHost({ containers: [NAME], images: [testImage] });

  test('run with a health command from the form, see it become healthy in the table and on its page with its probe results', async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page);
    await pullTestImage(page);

    await test.step('fill the healthcheck fields of the run form, checked as they are typed', async () => {
      await page.goto(`/hosts/${HOST}/run?image=${encodeURIComponent(testImage)}`);
      const form = page.getByRole('form', { name: 'Run a container' });
      await form.getByLabel('Name', { exact: true }).fill(NAME);
      await form.getByLabel('Command', { exact: true }).fill('sleep 1000');
      await form.getByLabel('Health command', { exact: true }).fill('echo probe-ok');
      await form.getByLabel('Interval', { exact: true }).fill('0');
      await expect(form.getByRole('alert').filter({ hasText: 'invalid duration "0": it is zero' })).toBeVisible();
      await form.getByLabel('Interval', { exact: true }).fill('200ms');
      await expect(form.getByRole('alert')).toHaveCount(0);
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/containers/[0-9a-f]{12,}`), { timeout: 60_000 });
    });

    await test.step('its page shows the health beside the state, and the last probe results', async () => {
      await expect(page.getByRole('heading', { name: NAME, exact: true })).toBeVisible();
      await expect(page.getByLabel('Container health')).toHaveText('healthy', { timeout: 30_000 });
      const results = page.getByRole('region', { name: 'Healthcheck' }).getByRole('list', { name: 'Last probe results' });
      await expect(results.getByRole('listitem').first()).toContainText('exit 0');
      await expect(results.getByRole('listitem').first()).toContainText('probe-ok');
      await page.screenshot({ path: 'e2e/test-results/container-health.png', fullPage: true });
    });

    await test.step('the Containers table shows it healthy', async () => {
      await page.goto('/containers');
      const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) });
      await expect(row.getByLabel('Container health')).toHaveText('healthy');
      await expect(row).toContainText('(healthy)');
    });
  });
});
