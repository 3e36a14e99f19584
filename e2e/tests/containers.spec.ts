import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { adminApi, mutate } from './api.ts';
import { createContainer, HOST, hostStatus, pullTestImage, registry, startAgent, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

const NAME = 'web';
const NOISY = 'e2e-noisy';
const RENAMED = 'e2e-noisy-2';
const TAGGED = `${registry}/busybox:e2e-tag`;

test.describe('containers and images on a real agent', () => {
  // skipped without the test registry; what these tests make is removed before and after them
  usesStackHost({ containers: [NAME, NOISY, RENAMED], images: [TAGGED, testImage] });

  test('pull an image, run a container, follow its logs, stop and remove it, remove the image', async ({ page }) => {
    test.setTimeout(240_000);
    await signIn(page);

    await test.step('pull the image from the Images page, with per-layer progress', async () => {
      // one bar per layer, kept once complete
      const pull = await pullTestImage(page, async (form) => {
        await expect(page.getByRole('heading', { name: 'Images' })).toBeVisible();
        await expect(form.getByRole('progressbar').first()).toBeVisible();
      });
      await expect(pull.getByRole('progressbar').first()).toHaveAttribute('aria-valuenow', '100');
      const row = page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: `${registry}/busybox` });
      await expect(row).toContainText('latest');
      await expect(row.getByText(/^[0-9a-f]{12}$/)).toBeVisible(); // IMAGE ID
      await expect(row.getByText(/^\d+(\.\d+)?(B|kB|MB|GB)$/)).toBeVisible(); // SIZE, 1000-based
      await expect(row.getByText(/ ago$/)).toBeVisible(); // CREATED
      await page.screenshot({ path: 'e2e/screenshots/images.png', fullPage: true });
      await row.getByRole('link', { name: `Run ${testImage}` }).click();
    });

    await test.step('run it from the run form, checked as it is typed', async () => {
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/run\\?image=`));
      const form = page.getByRole('form', { name: 'Run a container' });
      await expect(form.getByLabel('Image', { exact: true })).toHaveValue(testImage);
      await form.getByLabel('Name', { exact: true }).fill('-web');
      await expect(form.getByRole('alert').filter({ hasText: 'a name is [a-zA-Z0-9][a-zA-Z0-9_.-]+' })).toBeVisible();
      await form.getByLabel('Memory', { exact: true }).fill('12q');
      await expect(form.getByRole('alert').filter({ hasText: 'write a size like 512m' })).toBeVisible();
      await form.getByLabel('Memory', { exact: true }).fill('64m');
      await form.getByLabel('Name', { exact: true }).fill(NAME);
      await form.getByLabel('Command', { exact: true }).fill(`sh -c 'echo hello-from-e2e; sleep 1000`);
      await expect(form.getByRole('alert').filter({ hasText: 'a single quote is not closed' })).toBeVisible();
      await form.getByLabel('Command', { exact: true }).fill(`sh -c 'echo hello-from-e2e; sleep 1000'`);
      await form.getByLabel('Environment').fill('GREETING=hello');
      await expect(form.getByRole('alert')).toHaveCount(0);
      await page.screenshot({ path: 'e2e/test-results/run-form.png', fullPage: true });
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/containers/[0-9a-f]{12,}`), { timeout: 60_000 });
    });

    await test.step('see it running on the Containers page', async () => {
      await page.getByRole('link', { name: 'Containers', exact: true }).first().click();
      await expect(page).toHaveURL(/\/containers$/);
      const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').filter({ has: page.getByRole('link', { name: NAME, exact: true }) });
      await expect(row.getByText('running', { exact: true })).toBeVisible();
      await expect(row).toContainText(testImage);
      await expect(row).toContainText(/Up /);
      await expect(row).toContainText(HOST);
      await page.screenshot({ path: 'e2e/screenshots/containers.png', fullPage: true });
    });

    await test.step('see it on its host page, with the host facts and the image', async () => {
      await page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: HOST, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}$`));
      await expect(page.getByRole('heading', { name: HOST, exact: true })).toBeVisible();
      const facts = page.getByRole('definition').or(page.getByRole('term'));
      await expect(facts.filter({ hasText: 'Kernel Version' })).toBeVisible();
      await expect(page.getByLabel('Host facts')).toContainText(/runc|crun/);
      await expect(page.getByRole('meter', { name: `${HOST} memory` })).toBeVisible({ timeout: 30_000 });
      await expect(page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: NAME, exact: true })).toBeVisible();
      await page.screenshot({ path: 'e2e/screenshots/host.png', fullPage: true });
      await page.getByRole('tab', { name: 'Images' }).click();
      await expect(page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: `${registry}/busybox` })).toContainText('latest');
      await page.getByRole('tab', { name: 'Containers' }).click();
      await page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: NAME, exact: true }).click();
    });

    await test.step('open it and read its logs', async () => {
      await expect(page.getByRole('heading', { name: NAME })).toBeVisible();
      await expect(page.getByLabel('Container state')).toHaveText('running');
      await expect(page.getByRole('log', { name: `Logs of ${NAME}` })).toContainText('hello-from-e2e', { timeout: 30_000 });
      // docker stats, sampled every 3 s while it runs
      await expect(page.getByRole('meter', { name: 'container memory' })).toBeVisible();
      await page.screenshot({ path: 'e2e/screenshots/container.png', fullPage: true });
    });

    await test.step('stop it: the state turns to exited without a reload', async () => {
      await page.evaluate(() => ((globalThis as unknown as { berthNoReload: boolean }).berthNoReload = true));
      await page.getByRole('button', { name: `Stop ${NAME}` }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Stopping…' })).toBeVisible();
      // sh as PID 1 ignores SIGTERM: the stop kills it after Docker's 10 s
      await expect(page.getByLabel('Container state')).toHaveText('exited', { timeout: 45_000 });
      await expect(page.getByText(/Exited \(\d+\)/).first()).toBeVisible();
      expect(await page.evaluate(() => (globalThis as unknown as { berthNoReload?: boolean }).berthNoReload)).toBe(true);
      await expect(page.getByRole('button', { name: `Start ${NAME}` })).toBeVisible();
      await page.screenshot({ path: 'e2e/test-results/container-exited.png', fullPage: true });
    });

    await test.step('remove it, after a confirmation', async () => {
      await page.getByRole('button', { name: `Remove ${NAME}` }).click();
      await page.getByRole('group', { name: `Remove ${NAME}` }).getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page).toHaveURL(/\/containers$/);
      // the fleet's table shows containers in every state: a removed one is gone from it
      await expect(page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: NAME, exact: true })).toHaveCount(0);
    });

    await test.step('remove the image, seeing what was untagged and deleted', async () => {
      await page.getByRole('link', { name: 'Images', exact: true }).click();
      const row = page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: `${registry}/busybox` });
      await row.getByRole('button', { name: `Remove ${testImage}` }).click();
      await row.getByRole('group', { name: `Remove ${testImage}` }).getByRole('button', { name: 'Confirm remove' }).click();
      const result = page.getByRole('status').filter({ hasText: 'Untagged:' });
      await expect(result).toContainText(`Untagged: ${testImage}`);
      await expect(result).toContainText(/Deleted: sha256:[0-9a-f]{64}/);
      await expect(row).toHaveCount(0);
      await page.screenshot({ path: 'e2e/test-results/image-removed.png', fullPage: true });
    });
  });

  test('row actions, search and state filter, stderr and timestamps in logs, inspect, download, force remove, tag', async ({ page }) => {
    test.setTimeout(240_000);
    await signIn(page);

    await test.step('errors from the agent are shown where they happened', async () => {
      await page.getByRole('link', { name: 'Images', exact: true }).click();
      const pull = page.getByRole('form', { name: 'Pull an image' });
      await pull.getByLabel('Image to pull').fill(`${registry}/no-such-image:latest`);
      await pull.getByRole('button', { name: 'Pull' }).click();
      await expect(pull.getByRole('alert')).toContainText(/no-such-image/, { timeout: 30_000 });
      await page.goto(`/hosts/${HOST}/run`);
      const form = page.getByRole('form', { name: 'Run a container' });
      await form.getByLabel('Image', { exact: true }).fill('no-such-image:latest');
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(form.getByRole('alert')).toContainText(/no-such-image/, { timeout: 30_000 });
      await page.screenshot({ path: 'e2e/test-results/errors.png', fullPage: true });
    });

    await pullTestImage(page);

    await test.step('tag the image: a second row with the new tag', async () => {
      const row = page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: `${registry}/busybox` }).filter({ hasText: 'latest' });
      await row.getByRole('button', { name: `Tag ${testImage}` }).click();
      await row.getByLabel('New tag').fill(TAGGED);
      await row.getByRole('button', { name: 'Tag', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: `as ${TAGGED}` })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: 'e2e-tag' })).toHaveCount(1);
    });

    await test.step('a container writing to stdout and stderr, made through the API', async () => {
      await createContainer({ image: TAGGED, name: NOISY, cmd: ['sh', '-c', 'echo out-line; echo err-line >&2; sleep 1000'] }, { start: true });
    });

    const table = page.getByRole('table', { name: 'Containers' });
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: NOISY, exact: true }) });
    await test.step('search and filter on the Containers page', async () => {
      await page.getByRole('link', { name: 'Containers', exact: true }).first().click();
      await expect(row.getByText('running', { exact: true })).toBeVisible();
      const states = page.getByRole('group', { name: 'State' });
      await page.getByLabel('Search containers').fill('no-such-thing');
      await expect(table).toContainText('No container matches.');
      await expect(page).toHaveURL(/\/containers\?q=no-such-thing$/);
      await page.getByLabel('Search containers').fill('noisy');
      await expect(row).toBeVisible();
      await states.getByLabel('exited', { exact: true }).check();
      await expect(row).toHaveCount(0);
      await expect(page).toHaveURL(/\/containers\?q=noisy&state=exited$/);
      // the view is the URL: back goes to the previous one, and a shared link opens the same
      await page.goBack();
      await expect(states.getByLabel('exited', { exact: true })).not.toBeChecked();
      await expect(row).toBeVisible();
      await page.goto('/containers?q=noisy&state=running,exited&image=e2e-tag');
      await expect(page.getByLabel('Search containers')).toHaveValue('noisy');
      await expect(page.getByLabel('Image', { exact: true })).toHaveValue('e2e-tag');
      await expect(states.getByLabel('running', { exact: true })).toBeChecked();
      await expect(row).toBeVisible();
      await page.getByLabel('Image', { exact: true }).fill('no-such-image');
      await expect(row).toHaveCount(0);
      await page.getByLabel('Image', { exact: true }).fill('');
      await states.getByLabel('running', { exact: true }).uncheck();
      await states.getByLabel('exited', { exact: true }).uncheck();
      await expect(row).toBeVisible();
      // sorting by a header: the header says how
      await table.getByRole('button', { name: 'Name' }).click();
      await expect(table.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'ascending');
      await expect(page).toHaveURL(/sort=name/);
      // the nav's link to this page is a fresh view, not the one on screen
      await page.getByRole('link', { name: 'Containers', exact: true }).first().click();
      await expect(page).toHaveURL(/\/containers$/);
      await expect(page.getByLabel('Search containers')).toHaveValue('');
      await expect(table.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'none');
      await expect(row).toBeVisible();
    });

    await test.step('pause and unpause from the row, seen live', async () => {
      await row.getByRole('button', { name: `Pause ${NOISY}` }).click();
      await expect(row.getByText('paused', { exact: true })).toBeVisible();
      await page.getByRole('group', { name: 'State' }).getByLabel('paused', { exact: true }).check();
      await expect(row).toBeVisible();
      await page.getByRole('group', { name: 'State' }).getByLabel('paused', { exact: true }).uncheck();
      await row.getByRole('button', { name: `Unpause ${NOISY}` }).click();
      await expect(row.getByText('running', { exact: true })).toBeVisible();
      await row.getByRole('link', { name: NOISY, exact: true }).click();
    });

    await test.step('stderr lines marked, timestamps on demand, inspect JSON, download', async () => {
      const log = page.getByRole('log', { name: `Logs of ${NOISY}` });
      await expect(log.locator('[data-stream="stdout"]').filter({ hasText: 'out-line' })).toBeVisible();
      await expect(log.locator('[data-stream="stderr"]').filter({ hasText: 'err-line' })).toBeVisible();
      await page.getByLabel('Timestamps').check();
      await expect(log.locator('[data-stream="stdout"]').first()).toHaveText(/^\d{4}-\d{2}-\d{2}T\S+ out-line$/);
      await page.locator('summary').filter({ hasText: 'Inspect' }).click();
      await expect(page.getByLabel('Inspect JSON')).toContainText('"Status": "running"');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()]);
      expect(download.suggestedFilename()).toBe(`${NOISY}-logs.txt`);
      expect(await readFile(await download.path(), 'utf8')).toMatch(/out-line\n(.*\n)?.*err-line\n|err-line\n(.*\n)?.*out-line\n/);
      await page.screenshot({ path: 'e2e/test-results/container-stderr.png', fullPage: true });
    });

    await test.step('rename it in place', async () => {
      await page.getByRole('button', { name: `Rename ${NOISY}` }).click();
      const rename = page.getByRole('form', { name: `Rename ${NOISY}` });
      await rename.getByLabel('New name').fill('-bad');
      await expect(rename.getByRole('alert')).toContainText('a name is');
      await rename.getByLabel('New name').fill(RENAMED);
      await rename.getByRole('button', { name: 'Save' }).click();
      await expect(page.getByRole('heading', { name: RENAMED, exact: true })).toBeVisible();
    });

    await test.step('remove it while it runs: the confirmation says it is killed first', async () => {
      await page.getByRole('button', { name: `Remove ${RENAMED}` }).click();
      const confirm = page.getByRole('group', { name: `Remove ${RENAMED}` });
      await expect(confirm).toContainText('is running: kill and remove it?');
      await confirm.getByRole('button', { name: 'Force remove' }).click();
      await expect(page).toHaveURL(/\/containers$/);
      await expect(table.getByRole('link', { name: RENAMED, exact: true })).toHaveCount(0);
    });

    await test.step('untag: removing one of two tags deletes nothing', async () => {
      await page.getByRole('link', { name: 'Images', exact: true }).click();
      const tagged = page.getByRole('table', { name: 'Images' }).getByRole('row').filter({ hasText: 'e2e-tag' });
      await tagged.getByRole('button', { name: `Remove ${TAGGED}` }).click();
      await tagged.getByRole('button', { name: 'Confirm remove' }).click();
      const result = page.getByRole('status').filter({ hasText: 'Untagged:' });
      await expect(result).toContainText(`Untagged: ${TAGGED}`);
      await expect(result).not.toContainText('Deleted:');
      await expect(tagged).toHaveCount(0);
    });
  });

  test('a host that cannot answer is named in a warning above the fleet-wide tables', async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page);
    const gone = 'e2e-gone';
    const api = await adminApi();
    const { token } = await mutate<{ token: string }>(api, 'hosts.createJoinToken', { hostName: gone });
    const agent = await startAgent(gone, token, process.env.BERTH_E2E_URL!);
    const status = () => hostStatus(api, gone);
    try {
      await expect.poll(status, { timeout: 60_000 }).toBe('online');
      await agent.stop();
      await expect.poll(status, { timeout: 15_000 }).toBe('offline');

      await page.getByRole('link', { name: 'Containers', exact: true }).click();
      // the fleet's containers come from the hosts' last inventories: an offline host's are dated
      await expect(page.getByRole('alert').filter({ hasText: `${gone} is offline` })).toContainText('its containers are shown as of');
      await page.getByRole('link', { name: 'Images', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: `${gone} did not answer` })).toContainText('offline');
      await page.screenshot({ path: 'e2e/test-results/unavailable-host.png', fullPage: true });
    } finally {
      await agent.dispose();
      await mutate(api, 'hosts.remove', { host: gone }).catch((err: Error) => console.warn(`clean-up: ${err.message}`));
      await api.dispose();
    }
  });
});
