import { expect, test, type APIRequestContext } from '@playwright/test';
import { mutate, query, withAdminApi } from './api.ts';
import { HOST, hostStatus, registry, testImage } from './fleet.ts';
import { signIn } from './sign-in.ts';

const SERVICE = 'e2e-web';
/** A stack of one service with no replicas: nothing runs, so its test needs no containers. */
const STACK = 'e2e-stack';
const STACKED = `${STACK}_api`;
const LABEL = 'e2e-zone';

/** The containers of the service's replicas on the stack's host (named SERVICE.SLOT.ID). */
async function replicaContainers(api: APIRequestContext): Promise<string[]> {
  const { containers } = await query<{ containers: { name: string }[] }>(api, 'containers.list', { host: HOST, all: true });
  return containers.map((c) => c.name.replace(/^\//, '')).filter((n) => n.startsWith(`${SERVICE}.`));
}

/** Removes the service if a failed run left it, and waits until the reconciler has removed its replicas. */
const cleanUp = () => withAdminApi(async (api) => {
  // the global setup starts the agent without waiting for it to enrol
  await expect.poll(() => hostStatus(api, HOST), { timeout: 60_000 }).toBe('online');
  const services = await query<{ name: string; stack: string | null }[]>(api, 'services.list', {});
  if (services.some((s) => s.name === SERVICE)) await mutate(api, 'services.remove', { name: SERVICE });
  if (services.some((s) => s.stack === STACK)) await mutate(api, 'stacks.remove', { name: STACK });
  const host = await query<{ labels: Record<string, string> }>(api, 'hosts.get', { host: HOST });
  if (LABEL in host.labels) await mutate(api, 'hosts.label', { host: HOST, add: {}, remove: [LABEL] });
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

  test('a change made meanwhile is refused with a reload; stacks filter the services; host labels', async ({ page }) => {
    await signIn(page);

    await test.step('deploy the stack from a compose file: a mistake named by its line, then what berth ignores', async () => {
      await page.goto('/stacks');
      const form = page.getByRole('form', { name: 'Deploy a stack' });
      await form.getByLabel('Stack name').fill(STACK);
      await form.getByLabel('Compose', { exact: true }).fill(`services:\n  api:\n    image: ${testImage}\n    replica: 0\n`);
      await form.getByRole('button', { name: 'Deploy' }).click();
      await expect(form.getByRole('alert')).toContainText('docker-compose.yml:4:5: services.api.replica');
      await form.getByLabel('Compose', { exact: true }).fill(`services:\n  api:\n    image: ${testImage}\n    logging: { driver: syslog }\n    deploy: { replicas: 0 }\n`);
      await form.getByRole('button', { name: 'Deploy' }).click();
      await expect(form.getByRole('status')).toContainText(`Created: ${STACKED}`);
      await expect(form.getByRole('status')).toContainText('services.api.logging (line 4)');
    });

    await test.step('the stack, its services, and a scale refused because someone else scaled first', async () => {
      await page.goto('/stacks');
      const row = page.getByRole('table', { name: 'Stacks', exact: true }).getByRole('row', { name: new RegExp(STACK) });
      await expect(row).toContainText('1');
      await row.getByRole('link', { name: STACK }).click();
      await expect(page.getByRole('heading', { name: `Services of stack ${STACK}` })).toBeVisible();
      const services = page.getByRole('table', { name: 'Services', exact: true });
      await expect(services.getByRole('row')).toHaveCount(2); // the header and the stack's one service
      await services.getByRole('link', { name: STACKED }).click();

      const scale = page.getByRole('form', { name: `Scale ${STACKED}` });
      await scale.getByLabel('Replicas').fill('3');
      // meanwhile someone else scales it: the page shows the new version, the form keeps the one it began from
      await withAdminApi((api) => mutate(api, 'services.scale', { name: STACKED, replicas: 0, expectedVersion: 1 }));
      await expect(page.getByRole('list', { name: 'Versions' })).toContainText('scale to 0');
      await scale.getByRole('button', { name: 'Scale' }).click();
      await expect(scale.getByRole('alert')).toContainText('Changed by someone else meanwhile: reload');
      await scale.getByRole('button', { name: 'Reload' }).click();
      await expect(scale.getByRole('alert')).toHaveCount(0);
      await expect(scale.getByLabel('Replicas')).toHaveValue('0');
    });

    await test.step('remove the stack, naming its services', async () => {
      await page.goto('/stacks');
      await page.getByRole('button', { name: `Remove ${STACK}` }).click();
      const confirm = page.getByRole('group', { name: `Remove ${STACK}` });
      await expect(confirm).toContainText(`Remove the stack ${STACK}, its 1 service and their replicas?`);
      await confirm.getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByRole('status')).toContainText(`Removing service ${STACKED}`);
      await expect(page.getByRole('table', { name: 'Stacks', exact: true }).getByRole('row', { name: new RegExp(STACK) })).toHaveCount(0);
    });

    await test.step('an admin labels the host, and removes the label', async () => {
      await page.goto(`/hosts/${HOST}`);
      const add = page.getByRole('form', { name: `Add a label to ${HOST}` });
      await add.getByLabel('New label').fill('bad key=x');
      await expect(add.getByRole('alert')).toContainText('a label key is letters, digits');
      await add.getByLabel('New label').fill(`${LABEL}=eu`);
      await add.getByRole('button', { name: 'Add label' }).click();
      const labels = page.getByRole('list', { name: 'Host labels' });
      await expect(labels).toContainText(`${LABEL}=eu`);
      await page.getByRole('button', { name: `Remove label ${LABEL}` }).click();
      await page.getByRole('group', { name: `Remove label ${LABEL}` }).getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByText(`${LABEL}=eu`)).toHaveCount(0);
    });
  });
});
