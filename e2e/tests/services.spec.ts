import { expect, test, type APIRequestContext } from '@playwright/test';
import { mutate, query, withAdminApi } from './api.ts';
import { HOST, hostStatus, registry, testImage } from './fleet.ts';
import { signIn } from './sign-in.ts';

const SERVICE = 'e2e-web';

/** The containers of the service's replicas on the stack's host (named SERVICE.SLOT.ID). */
async function replicaContainers(api: APIRequestContext): Promise<string[]> {
  const { containers } = await query<{ containers: { name: string }[] }>(api, 'containers.list', { host: HOST, all: true });
  return containers.map((c) => c.name.replace(/^\//, '')).filter((n) => n.startsWith(`${SERVICE}.`));
}

/** Removes the service if a failed run left it, and waits until the reconciler has removed its replicas. */
const cleanUp = () => withAdminApi(async (api) => {
  // the global setup starts the agent without waiting for it to enrol
  await expect.poll(() => hostStatus(api, HOST), { timeout: 60_000 }).toBe('online');
  const services = await query<{ name: string }[]>(api, 'services.list', {});
  if (services.some((s) => s.name === SERVICE)) await mutate(api, 'services.remove', { name: SERVICE });
  await expect.poll(() => replicaContainers(api), { timeout: 30_000 }).toEqual([]);
});

test.describe('services: desired state from the dashboard', () => {
  test.skip(!registry, `no test registry: ${process.env.BERTH_E2E_REGISTRY_ERROR ?? 'BERTH_E2E_REGISTRY is not set'}`); // skipped only when the stack could not start docker-registry (./berth test installs it)
  test.beforeAll(cleanUp);
  test.afterAll(cleanUp);

  test('create a service of 2 replicas from the form, watch them run, scale to 1, remove it', async ({ page }) => {
    await signIn(page);
    await page.getByRole('navigation').getByRole('link', { name: 'Services' }).click();
    await expect(page).toHaveURL(/\/services$/);
    await expect(page.getByRole('heading', { name: 'Services', exact: true })).toBeVisible();

    await test.step('create it from the form', async () => {
      await page.getByRole('button', { name: 'Create service' }).click();
      const form = page.getByRole('form', { name: 'Create a service' });
      await form.getByLabel('Name', { exact: true }).fill(SERVICE);
      await form.getByLabel('Image', { exact: true }).fill(testImage);
      await form.getByLabel('Command', { exact: true }).fill('sleep 1000');
      await form.getByLabel('Replicas', { exact: true }).fill('2');
      // the form checks ports as the API would before asking it
      await form.getByLabel('Publish ports', { exact: true }).fill('70000:80');
      await expect(form.getByRole('alert')).toContainText('ports go from 1 to 65535');
      await form.getByLabel('Publish ports', { exact: true }).fill('');
      await form.getByRole('button', { name: 'Create service' }).click();
      await expect(page).toHaveURL(new RegExp(`/services/${SERVICE}$`));
    });

    await test.step('the replicas converge: 2/2 running, both on the host', async () => {
      // the reconciler pulls the image onto the host first
      await expect(page.getByRole('meter', { name: `${SERVICE} replicas running` })).toHaveAttribute('aria-valuetext', '2/2', { timeout: 45_000 });
      await expect(page.getByRole('table', { name: 'Replicas per host' }).getByRole('row', { name: new RegExp(HOST) })).toContainText('2/2');
      const replicas = page.getByRole('table', { name: 'Replicas', exact: true });
      await expect(replicas.getByRole('row').filter({ hasText: 'running' })).toHaveCount(2);
      // each replica's container links to its page
      await expect(replicas.getByRole('link', { name: new RegExp(`^${SERVICE}\\.1\\.`) })).toHaveAttribute('href', new RegExp(`^/hosts/${HOST}/containers/[0-9a-f]{12,}$`));
      await expect(page.getByRole('list', { name: 'Timeline' })).toContainText('version 1: created by');
      await page.screenshot({ path: 'e2e/screenshots/service.png', fullPage: true });
    });

    await test.step('the services table shows it', async () => {
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Services' }).click();
      const row = page.getByRole('table', { name: 'Services', exact: true }).getByRole('row', { name: new RegExp(SERVICE) });
      await expect(row.getByRole('meter', { name: `${SERVICE} replicas running` })).toHaveAttribute('aria-valuetext', '2/2');
      await expect(row).toContainText('replicated');
      await expect(row).toContainText(testImage);
      await page.screenshot({ path: 'e2e/screenshots/services.png', fullPage: true });
      await row.getByRole('link', { name: SERVICE }).click();
      await expect(page).toHaveURL(new RegExp(`/services/${SERVICE}$`));
    });

    await test.step('scale to 1: 1/1 running', async () => {
      const scale = page.getByRole('form', { name: `Scale ${SERVICE}` });
      await scale.getByLabel('Replicas').fill('1');
      await scale.getByRole('button', { name: 'Scale' }).click();
      await expect(page.getByRole('meter', { name: `${SERVICE} replicas running` })).toHaveAttribute('aria-valuetext', '1/1', { timeout: 30_000 });
      await expect(page.getByRole('table', { name: 'Replicas per host' }).getByRole('row', { name: new RegExp(HOST) })).toContainText('1/1');
      await expect(page.getByRole('list', { name: 'Versions' })).toContainText('scale to 1');
    });

    await test.step('remove it, naming it and its replica count', async () => {
      await page.getByRole('button', { name: `Remove ${SERVICE}` }).click();
      const confirm = page.getByRole('group', { name: `Remove ${SERVICE}` });
      await expect(confirm).toContainText(`Remove the service ${SERVICE} and its 1 replica?`);
      await confirm.getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page).toHaveURL(/\/services$/);
      await expect(page.getByRole('table', { name: 'Services', exact: true }).getByRole('row', { name: new RegExp(SERVICE) })).toHaveCount(0);
      // and the reconciler removes its replica from the host
      await withAdminApi((api) => expect.poll(() => replicaContainers(api), { timeout: 30_000 }).toEqual([]));
    });
  });
});
