import { freeTestSubnets } from '@berth/testing/network-env';
import { expect, test } from '@playwright/test';
import { freePort } from '@berth/testing/registry';
import { query, withAdminApi } from './api.ts';
import { HOST, pullTestImage, testImage, usesStackHost } from './fleet.ts';
import { signIn } from './sign-in.ts';

const NET = 'e2enet';
const NET_2 = 'e2enet-2';
const WEB = 'e2e-net-web';

test.describe('networks on a real agent', () => {
  // skipped without the test registry; what these tests make is removed before and after them
  usesStackHost({ containers: [WEB], networks: [NET, NET_2], images: [testImage] });

  test('create a network, run a container on it with a published port, reach it, refuse and then remove the network', async ({ page }) => {
    test.setTimeout(240_000);
    const [subnet] = freeTestSubnets(216) as [string];
    const prefix = subnet.split('.').slice(0, 3).join('.');
    const port = await freePort();
    await signIn(page);

    await test.step('create e2enet from the form, checked as it is typed', async () => {
      await page.getByRole('link', { name: 'Networks', exact: true }).click();
      await expect(page).toHaveURL(/\/networks$/);
      const create = page.getByRole('form', { name: 'Create a network' });
      await create.getByLabel('Host', { exact: true }).selectOption(HOST);
      await create.getByLabel('Network name').fill('-bad');
      await expect(create.getByRole('alert')).toContainText('a network name is [a-zA-Z0-9][a-zA-Z0-9_.-]*');
      await create.getByLabel('Network name').fill(NET);
      await create.getByLabel('Subnet').fill(`${prefix}.7/24`);
      await expect(create.getByRole('alert')).toContainText(`has host bits set: the subnet is ${subnet}`);
      await create.getByLabel('Subnet').fill(subnet);
      await create.getByLabel('Gateway').fill('10.99.0.1');
      await expect(create.getByRole('alert')).toContainText(`10.99.0.1 is not in ${subnet}`);
      await create.getByLabel('Gateway').fill('');
      await expect(create.getByRole('alert')).toHaveCount(0);
      await create.getByRole('button', { name: 'Create' }).click();
      await expect(page.getByRole('status').filter({ hasText: `Created network ${NET} on ${HOST}: ${subnet}, gateway ${prefix}.1` })).toBeVisible({ timeout: 30_000 });
      const row = page.getByRole('table', { name: 'Networks' }).getByRole('row').filter({ has: page.getByRole('link', { name: NET, exact: true }) });
      await expect(row).toContainText(subnet);
      await expect(row).toContainText(`${prefix}.1`);
      await expect(row).toContainText('bridge');

      // the agent's refusal, as it words it: a second network on the same subnet
      await create.getByLabel('Network name').fill(NET_2);
      await create.getByLabel('Subnet').fill(subnet);
      await create.getByRole('button', { name: 'Create' }).click();
      await expect(create.getByRole('alert')).toContainText(`subnet ${subnet} overlaps with network ${NET}`, { timeout: 30_000 });
      await page.screenshot({ path: 'e2e/test-results/networks.png', fullPage: true });
    });

    await test.step('the host page lists it on its Networks tab; the built-in ones cannot be removed', async () => {
      await page.goto(`/hosts/${HOST}`);
      await page.getByRole('tab', { name: 'Networks' }).click();
      await expect(page).toHaveURL(/#networks$/);
      const table = page.getByRole('table', { name: 'Networks' });
      await expect(table.getByRole('link', { name: NET, exact: true })).toBeVisible();
      await expect(table.getByRole('button', { name: `Remove network ${NET}` })).toBeVisible();
      for (const builtin of ['bridge', 'host', 'none']) {
        await expect(table.getByRole('link', { name: builtin, exact: true })).toBeVisible();
        await expect(table.getByRole('button', { name: `Remove network ${builtin}` })).toHaveCount(0);
      }
    });

    await pullTestImage(page);

    let id = '';
    await test.step('run busybox httpd on e2enet with a published port; a bad -p is refused as typed', async () => {
      await page.goto(`/hosts/${HOST}/run?image=${encodeURIComponent(testImage)}`);
      const form = page.getByRole('form', { name: 'Run a container' });
      await form.getByLabel('Name', { exact: true }).fill(WEB);
      await form.getByLabel('Command', { exact: true }).fill('httpd -f -p 80 -h /etc');
      await expect(form.getByLabel('Network', { exact: true }).getByRole('option', { name: `${NET} (${subnet})` })).toHaveCount(1);
      await form.getByLabel('Network', { exact: true }).selectOption(NET);
      await form.getByLabel('Network aliases').fill('www');

      await form.getByLabel('Publish ports').fill('127.0.0.1:99999:80');
      await expect(form.getByRole('alert')).toHaveText('invalid host port 99999 in "127.0.0.1:99999:80": ports go from 1 to 65535');
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(form.getByRole('button', { name: 'Run' })).toBeDisabled();
      await expect(page).toHaveURL(/\/run\?image=/);
      await page.screenshot({ path: 'e2e/test-results/run-form-bad-port.png', fullPage: true });

      await form.getByLabel('Publish ports').fill(`127.0.0.1:${port}:80`);
      await expect(form.getByRole('alert')).toHaveCount(0);
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/containers/[0-9a-f]{12,}`), { timeout: 60_000 });
      id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
      await expect(page.getByLabel('Container state')).toHaveText('running', { timeout: 30_000 });
    });

    await test.step('its page: the network mode, its address on e2enet, the port mapping', async () => {
      const section = page.getByRole('region', { name: 'Network' });
      await expect(section.getByText(NET, { exact: true }).first()).toBeVisible();
      const endpoint = section.getByRole('table', { name: 'Container networks' }).getByRole('row').filter({ has: page.getByRole('link', { name: NET, exact: true }) });
      await expect(endpoint).toContainText(new RegExp(`${prefix.replaceAll('.', '\\.')}\\.\\d+/24`));
      await expect(endpoint).toContainText(`${prefix}.1`);
      await expect(endpoint).toContainText('www');
      await expect(section.getByRole('list', { name: 'Port mappings' })).toContainText(`80/tcp → 127.0.0.1:${port}`);
      await page.screenshot({ path: 'e2e/test-results/container-network.png', fullPage: true });
    });

    await test.step('connect it to the default bridge while it runs, then disconnect it after a confirmation', async () => {
      const section = page.getByRole('region', { name: 'Network' });
      const connect = section.getByRole('form', { name: `Connect ${WEB} to a network` });
      await connect.getByLabel('Network', { exact: true }).selectOption('bridge');
      await connect.getByLabel('Aliases').fill('nope');
      await expect(connect.getByRole('alert')).toContainText('the default bridge network takes no aliases');
      await connect.getByLabel('Aliases').fill('');
      await connect.getByRole('button', { name: 'Connect' }).click();
      await expect(section.getByRole('status').filter({ hasText: `Connected ${WEB} to bridge` })).toBeVisible({ timeout: 30_000 });
      const bridgeRow = section.getByRole('table', { name: 'Container networks' }).getByRole('row').filter({ has: page.getByRole('link', { name: 'bridge', exact: true }) });
      await expect(bridgeRow).toContainText(/\d+\.\d+\.\d+\.\d+\/\d+/);
      await bridgeRow.getByRole('button', { name: `Disconnect ${WEB} from bridge` }).click();
      await section.getByRole('group', { name: `Disconnect ${WEB} from bridge` }).getByRole('button', { name: 'Confirm disconnect' }).click();
      await expect(bridgeRow).toHaveCount(0, { timeout: 30_000 });
    });

    await test.step('the Ports column, and the container answering on the published port', async () => {
      await page.getByRole('link', { name: 'Containers', exact: true }).first().click();
      const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').filter({ has: page.getByRole('link', { name: WEB, exact: true }) });
      await expect(row).toContainText(`127.0.0.1:${port}->80/tcp`);
      // loopback is the host's, not the browser's: no link
      await expect(row.getByRole('link', { name: /->80\/tcp/ })).toHaveCount(0);
      await page.screenshot({ path: 'e2e/test-results/containers-ports.png', fullPage: true });

      const hostname = (await withAdminApi((api) => query<{ Config: { Hostname: string } }>(api, 'containers.inspect', { host: HOST, id }))).Config.Hostname;
      expect(hostname).toBeTruthy();
      await expect.poll(async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/hostname`, { signal: AbortSignal.timeout(3000) });
          return res.ok ? (await res.text()).trim() : `HTTP ${res.status}`;
        } catch (err) {
          return (err as Error).message;
        }
      }, { timeout: 20_000 }).toBe(hostname);
    });

    await test.step('inspect e2enet: the container with its address', async () => {
      await page.goto(`/hosts/${HOST}#networks`);
      await page.getByRole('table', { name: 'Networks' }).getByRole('link', { name: NET, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/networks/${NET}$`));
      await expect(page.getByRole('heading', { name: NET, exact: true })).toBeVisible();
      await expect(page.getByLabel('Network details')).toContainText(subnet);
      const attached = page.getByRole('table', { name: `Containers on ${NET}` }).getByRole('row').filter({ has: page.getByRole('link', { name: WEB, exact: true }) });
      await expect(attached).toContainText(new RegExp(`${prefix.replaceAll('.', '\\.')}\\.\\d+/24`));
      await expect(attached).toContainText('www');
      await page.screenshot({ path: 'e2e/test-results/network-inspect.png', fullPage: true });
    });

    await test.step('removing e2enet is refused while the container uses it, naming the container', async () => {
      await page.getByRole('button', { name: `Remove network ${NET}` }).click();
      const confirm = page.getByRole('group', { name: `Remove network ${NET}` });
      await expect(confirm).toContainText(`Remove network ${NET} from ${HOST}?`);
      await confirm.getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByRole('alert').filter({ hasText: `used by container ${WEB}` })).toBeVisible({ timeout: 30_000 });
      await page.screenshot({ path: 'e2e/test-results/network-in-use.png', fullPage: true });
    });

    await test.step('remove the container, then the network after a confirmation naming it', async () => {
      await page.getByRole('table', { name: `Containers on ${NET}` }).getByRole('link', { name: WEB, exact: true }).click();
      await page.getByRole('button', { name: `Remove ${WEB}` }).click();
      await page.getByRole('group', { name: `Remove ${WEB}` }).getByRole('button', { name: /Force remove|Confirm remove/ }).click();
      await expect(page).toHaveURL(/\/containers$/, { timeout: 30_000 });

      await page.getByRole('link', { name: 'Networks', exact: true }).click();
      const row = page.getByRole('table', { name: 'Networks' }).getByRole('row').filter({ has: page.getByRole('link', { name: NET, exact: true }) });
      await expect(row.getByRole('cell').nth(7)).toHaveText('0'); // Containers: none left on it
      await row.getByRole('button', { name: `Remove network ${NET}` }).click();
      const confirm = row.getByRole('group', { name: `Remove network ${NET}` });
      await expect(confirm).toContainText(`Remove network ${NET} from ${HOST}?`);
      await confirm.getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page.getByRole('status').filter({ hasText: `Removed network ${NET} from ${HOST}` })).toBeVisible({ timeout: 30_000 });
      await expect(row).toHaveCount(0);
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/hostname`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, (err: Error) => err.message))).not.toBe(200);
    });
  });

  test('a viewer sees the networks but is offered no changes', async ({ page }) => {
    await signIn(page, 'viewer');
    await page.getByRole('link', { name: 'Networks', exact: true }).click();
    const table = page.getByRole('table', { name: 'Networks' });
    await expect(table.getByRole('link', { name: 'bridge', exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('form', { name: 'Create a network' })).toHaveCount(0);
    await expect(page.getByRole('group', { name: 'Prune networks' })).toHaveCount(0);
    await expect(table.getByRole('button')).toHaveCount(0);
    await page.goto(`/hosts/${HOST}/run`);
    await expect(page.getByRole('form', { name: 'Run a container' }).getByLabel('Network', { exact: true }).getByRole('option', { name: 'host (admins only)' })).toBeDisabled();
  });
});
