import { expect, test, type APIRequestContext } from '@playwright/test';
import { mutate, query, withAdminApi } from './api.ts';
import { HOST, hostStatus, registry, testImage } from './fleet.ts';
import { signIn } from './sign-in.ts';

const SECRET = 'e2e_db_password';
const CONTENT = 'hunter2-from-the-browser';
const SERVICE = 'e2e-keyed';

const replicas = async (api: APIRequestContext) =>
  (await query<{ containers: { id: string; name: string; state: string }[] }>(api, 'containers.list', { host: HOST, all: true })).containers.filter((c) => c.name.replace(/^\//, '').startsWith(`${SERVICE}.`));

const cleanUp = () => withAdminApi(async (api) => {
  await expect.poll(() => hostStatus(api, HOST), { timeout: 60_000 }).toBe('online');
  if ((await query<{ name: string }[]>(api, 'services.list', {})).some((s) => s.name === SERVICE)) await mutate(api, 'services.remove', { name: SERVICE });
  await expect.poll(async () => (await replicas(api)).length, { timeout: 30_000 }).toBe(0);
  if ((await query<{ name: string }[]>(api, 'secrets.list', { kind: 'secret' })).some((s) => s.name === SECRET)) await mutate(api, 'secrets.remove', { kind: 'secret', name: SECRET });
});

test.describe('secrets: made in the browser, mounted in a service, never shown again', () => {
  test.skip(!registry, `no test registry: ${process.env.BERTH_E2E_REGISTRY_ERROR ?? 'BERTH_E2E_REGISTRY is not set'}`); // skipped only when the stack could not start docker-registry (./berth test installs it)
  test.beforeAll(cleanUp);
  test.afterAll(cleanUp);

  test('create a secret, mount it in a service from the form, see it refused for removal while used, remove it after', async ({ page }) => {
    await signIn(page);
    await page.goto('/services');
    await page.getByRole('link', { name: 'Secrets and configs' }).click();
    await expect(page.getByRole('heading', { name: 'Secrets and configs' })).toBeVisible();
    const secrets = page.getByRole('region', { name: 'Secrets' });

    await test.step('create it: the content leaves the page and is not shown again', async () => {
      const form = secrets.getByRole('form', { name: 'Create a secret' });
      await form.getByLabel('Name').fill('bad name');
      await expect(form.getByRole('alert')).toContainText('letters, digits');
      await form.getByLabel('Name').fill(SECRET);
      await form.getByLabel('Content').fill(CONTENT);
      await form.getByRole('button', { name: 'Create secret' }).click();
      await expect(secrets.getByText(`Created the secret ${SECRET} (${CONTENT.length} bytes)`)).toBeVisible();
      await expect(form.getByLabel('Content')).toHaveValue('');
      const row = secrets.getByRole('table', { name: 'Secrets' }).getByRole('row', { name: new RegExp(SECRET) });
      await expect(row).toContainText(`${CONTENT.length} B`);
      await expect(row).toContainText('no service');
      await page.reload();
      await expect(page.getByRole('table', { name: 'Secrets' }).getByRole('row', { name: new RegExp(SECRET) })).toBeVisible();
      await expect(page.locator('body')).not.toContainText(CONTENT);
      await page.screenshot({ path: 'e2e/screenshots/secrets.png', fullPage: true });
    });

    await test.step('a service created from the form mounts it in its replica', async () => {
      await page.goto('/services');
      await page.getByRole('button', { name: 'Create service' }).click();
      const form = page.getByRole('form', { name: 'Create a service' });
      await form.getByLabel('Name', { exact: true }).fill(SERVICE);
      await form.getByLabel('Image', { exact: true }).fill(testImage);
      await form.getByLabel('Command', { exact: true }).fill('sleep 1000');
      await form.getByLabel('Secrets', { exact: true }).fill(SECRET);
      await form.getByRole('button', { name: 'Create service' }).click();
      await expect(page).toHaveURL(new RegExp(`/services/${SERVICE}$`));
      await expect(page.getByRole('meter', { name: `${SERVICE} replicas running` })).toHaveAttribute('aria-valuetext', '1/1', { timeout: 45_000 });
      await expect(page.getByLabel('Service spec', { exact: true })).toContainText(`${SECRET} → /run/secrets/${SECRET}`);
      const mounts = await withAdminApi(async (api) => {
        const [replica] = await replicas(api);
        return (await query<{ Mounts: unknown[] }>(api, 'containers.inspect', { host: HOST, id: replica!.id })).Mounts;
      });
      expect(mounts).toContainEqual({ Type: 'secret', Name: SECRET, Destination: `/run/secrets/${SECRET}`, RW: false, Mode: '0444', UID: '0', GID: '0' });
    });

    await test.step('removal is refused while the service uses it, and works once it is gone', async () => {
      await page.goto('/secrets');
      const row = page.getByRole('table', { name: 'Secrets' }).getByRole('row', { name: new RegExp(SECRET) });
      await expect(row.getByRole('link', { name: SERVICE })).toBeVisible();
      await row.getByRole('button', { name: `Remove secret ${SECRET}` }).click();
      await row.getByRole('group', { name: `Remove secret ${SECRET}` }).getByRole('button', { name: 'Confirm remove' }).click();
      await expect(row.getByRole('alert')).toContainText(`secret ${SECRET} is in use by the service ${SERVICE}`);
      await withAdminApi((api) => mutate(api, 'services.remove', { name: SERVICE }));
      await page.reload();
      const again = page.getByRole('table', { name: 'Secrets' }).getByRole('row', { name: new RegExp(SECRET) });
      await expect(again).toContainText('no service');
      await again.getByRole('button', { name: `Remove secret ${SECRET}` }).click();
      await again.getByRole('group', { name: `Remove secret ${SECRET}` }).getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByRole('table', { name: 'Secrets' }).getByRole('row', { name: new RegExp(SECRET) })).toHaveCount(0);
    });
  });
});
