import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { freePort } from '@berth/testing/registry';
import { changeHeaders, mutate, withAdminApi } from './api.ts';
import { HOST, hostStatus, pullTestImage, startAgent, testImage, usesStackHost, type ExtraAgent } from './fleet.ts';
import { signIn } from './sign-in.ts';

const NEW_HOST = 'e2e-journey';
const NAME = 'e2e-journey-web';
const VOLUME = 'e2e-journey-data';
const admin = process.env.BERTH_E2E_USER!;
const viewer = process.env.BERTH_E2E_VIEWER!;

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks), as the audit export writes them. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[i++];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      records.push([...record, field]);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

/** Types a line into the xterm.js terminal, which reads keys from its hidden textarea. */
async function typeLine(page: Page, line: string): Promise<void> {
  await page.getByLabel(`Terminal output of ${NAME}`).click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

test.describe('the whole journey, found again in the audit log', () => {
  // skipped without the test registry; what this test makes is removed before and after it
  usesStackHost({ containers: [NAME], volumes: [VOLUME], images: [testImage] });
  let agent: ExtraAgent | undefined;
  test.afterAll(async () => {
    await agent?.dispose(); // kills it if the test did not get to stop it
    await withAdminApi((api) => mutate(api, 'hosts.remove', { host: NEW_HOST })).catch(() => undefined);
  });

  test('add a host, pull, run with a port and a volume, logs, terminal, stop, remove, a viewer refused: each in the audit log and its CSV', async ({ page, browser }) => {
    test.setTimeout(240_000);
    const port = await freePort();
    let id = '';
    await signIn(page);

    await test.step('add a host with a join token made on the Add host page', async () => {
      await page.goto('/add-host');
      const form = page.getByRole('form', { name: 'Create a join token' });
      await form.getByLabel('Host name (optional)').fill(NEW_HOST);
      await form.getByRole('button', { name: 'Create join token' }).click();
      const token = (await form.locator('code').textContent({ timeout: 15_000 }))!.trim();
      expect(token).toMatch(/^bj_/);
      agent = await startAgent(NEW_HOST, token, page.url());
      await page.goto('/');
      await expect(page.getByRole('table', { name: 'Hosts' }).getByRole('row', { name: new RegExp(NEW_HOST) }).getByText('online')).toBeVisible({ timeout: 60_000 });
    });

    await test.step('pull the image, with progress', async () => {
      await pullTestImage(page, async (form) => {
        await expect(form.getByRole('progressbar').first()).toBeVisible();
      });
    });

    await test.step('run it from the form with a published port and a volume', async () => {
      await page.goto(`/hosts/${HOST}/run?image=${encodeURIComponent(testImage)}`);
      const form = page.getByRole('form', { name: 'Run a container' });
      await form.getByLabel('Name', { exact: true }).fill(NAME);
      // exits at once on SIGTERM, so that the stop does not wait out its 10 s
      await form.getByLabel('Command', { exact: true }).fill(`sh -c 'trap "exit 0" TERM; echo journey-hello; while :; do sleep 1; done'`);
      await form.getByLabel('Volumes', { exact: true }).fill(`${VOLUME}:/data`);
      await form.getByLabel('Publish ports', { exact: true }).fill(`127.0.0.1:${port}:80`);
      await expect(form.getByRole('alert')).toHaveCount(0);
      await form.getByRole('button', { name: 'Run' }).click();
      await expect(page).toHaveURL(new RegExp(`/hosts/${HOST}/containers/[0-9a-f]{12,}`), { timeout: 60_000 });
      id = new URL(page.url()).pathname.split('/').at(-1)!;
      await expect(page.getByLabel('Container state')).toHaveText('running');
    });

    await test.step('follow its logs', async () => {
      await expect(page.getByRole('log', { name: `Logs of ${NAME}` })).toContainText('journey-hello', { timeout: 30_000 });
    });

    await test.step('type a command in its terminal and read the output', async () => {
      await page.getByRole('tab', { name: 'Terminal' }).click();
      const terminal = page.getByRole('form', { name: `Terminal of ${NAME}` });
      await terminal.getByRole('button', { name: 'Connect' }).click();
      await expect(terminal.getByText(`connected · sh in ${NAME}`)).toBeVisible();
      const screen = page.getByLabel(`Terminal output of ${NAME}`).locator('.xterm-rows');
      await expect(screen).toContainText('#', { timeout: 15_000 });
      await typeLine(page, 'echo $((6*7)) > /data/answer; cat /data/answer');
      await expect(screen.locator(':scope > div').filter({ hasText: /^\s*42\s*$/ })).toHaveCount(1);
      await typeLine(page, 'exit');
      await expect(page.getByRole('status').filter({ hasText: 'sh exited with code 0' })).toBeVisible();
    });

    await test.step('stop it and remove it', async () => {
      await page.getByRole('button', { name: `Stop ${NAME}` }).click();
      await expect(page.getByLabel('Container state')).toHaveText('exited', { timeout: 45_000 });
      await page.getByRole('button', { name: `Remove ${NAME}` }).click();
      await page.getByRole('group', { name: `Remove ${NAME}` }).getByRole('button', { name: 'Confirm remove' }).click();
      await expect(page).toHaveURL(/\/containers$/);
      await expect(page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: NAME, exact: true })).toHaveCount(0);
    });

    await test.step('a viewer cannot run a container: the server refuses it', async () => {
      const ctx = await browser.newContext({ baseURL: process.env.BERTH_E2E_URL });
      try {
        const p = await ctx.newPage();
        await signIn(p, 'viewer');
        // as the dashboard would send it, Origin and CSRF token included: refused for the role alone
        const res = await p.request.post('/api/trpc/containers.create', { data: { json: { host: HOST, spec: { image: testImage, name: 'e2e-journey-denied', cmd: ['true'] }, start: true } }, headers: await changeHeaders(p.request) });
        expect(res.status()).toBe(403);
        expect(await res.text()).toContain(`creating a container needs the operator role; ${viewer} is viewer`);
      } finally {
        await ctx.close();
      }
    });

    const audit = page.getByRole('table', { name: 'Audit log' });
    const filters = page.getByRole('search', { name: 'Filter the audit log' });
    /** Sets the filters and waits until the table shows only what they select (they apply after a pause in typing). */
    const filterBy = async (f: { user?: string; host?: string; action?: string }) => {
      await filters.getByLabel('User').fill(f.user ?? '');
      await filters.getByLabel('Host').fill(f.host ?? '');
      await filters.getByLabel('Action').fill(f.action ?? '');
      const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
      await expect(page.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', `/api/audit/export.csv${query ? `?${query}` : ''}`);
      await expect.poll(async () => {
        const actions = await audit.locator('code').allTextContents();
        const actors = await audit.getByRole('row').allTextContents();
        return actions.length > 0 && actions.every((a) => a.startsWith(f.action ?? '')) && actors.slice(1).every((r) => r.includes(f.user ?? ''));
      }).toBe(true);
    };
    const row = (action: string, text?: string) => audit.getByRole('row').filter({ has: page.getByText(action, { exact: true }) }).filter({ hasText: text ?? '' }).first();

    await test.step('the Audit page finds each step with its filters', async () => {
      await page.getByRole('link', { name: 'Audit log' }).click();
      // the action field suggests the actions the log holds, and their domains as prefixes
      const suggested = page.locator('datalist#audit-actions option');
      for (const value of ['container.', 'container.create', 'host.enroll', 'join-token.create']) await expect(suggested.and(page.locator(`[value="${value}"]`))).toHaveCount(1);
      await expect(page.getByRole('search', { name: 'Filter the audit log' }).getByLabel('Action')).toHaveAttribute('list', 'audit-actions');
      await filterBy({ user: admin, action: 'join-token.create' });
      await expect(row('join-token.create')).toBeVisible();
      await filterBy({ host: NEW_HOST, action: 'host.' });
      await expect(row('host.enroll', NEW_HOST)).toBeVisible();
      await filterBy({ user: admin, host: HOST, action: 'image.pull' });
      await expect(row('image.pull', HOST)).toBeVisible();
      await filterBy({ user: admin, host: HOST, action: 'container.' });
      for (const action of ['container.create', 'container.start', 'container.exec', 'container.stop', 'container.remove']) await expect(row(action, HOST)).toBeVisible();
      await expect(row('container.create', NAME)).toContainText('ok');
      await filterBy({ user: viewer, host: HOST, action: 'container.create' });
      await expect(row('container.create', HOST)).toContainText(`refused: creating a container needs the operator role; ${viewer} is viewer`);
    });

    await test.step('and the CSV export holds them all', async () => {
      // the whole log, the journey at its top
      await filterBy({});
      await expect(row('host.enroll', NEW_HOST)).toBeVisible();
      await page.screenshot({ path: 'e2e/screenshots/audit-journey.png', fullPage: true });
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      const [header, ...records] = parseCsv(await readFile((await download.path())!, 'utf8'));
      expect(header).toEqual(['id', 'at', 'actor', 'source', 'remote_addr', 'action', 'host', 'object_type', 'object_id', 'outcome', 'error', 'params']);
      const entries = records.map(([, , actor, , , action, host, , objectId, outcome, error, params]) => ({ actor, action, host, objectId, outcome, error, params }));
      // the container by its name or its id (short or full), as each action names it
      const ours = (objectId = '') => objectId === NAME || (objectId.length >= 12 && (id.startsWith(objectId) || objectId.startsWith(id)));
      const found = (what: string, match: (e: (typeof entries)[number]) => boolean) => expect(entries.some(match), what).toBe(true);
      found('join-token.create', (e) => e.action === 'join-token.create' && e.actor === admin && e.outcome === 'ok' && e.params!.includes(NEW_HOST));
      found('host.enroll', (e) => e.action === 'host.enroll' && e.host === NEW_HOST && e.outcome === 'ok');
      found('image.pull', (e) => e.action === 'image.pull' && e.host === HOST && e.actor === admin && `${e.objectId} ${e.params}`.includes(testImage));
      for (const action of ['container.create', 'container.start', 'container.exec', 'container.stop', 'container.remove']) {
        found(action, (e) => e.action === action && e.host === HOST && e.actor === admin && e.outcome === 'ok' && ours(e.objectId));
      }
      found('the viewer refused', (e) => e.action === 'container.create' && e.host === HOST && e.actor === viewer && e.outcome === 'refused' && e.error!.includes('needs the operator role'));
    });

    await test.step('the new host leaves: its agent stops and it is removed', async () => {
      await agent!.stop();
      await withAdminApi(async (api) => {
        await expect.poll(() => hostStatus(api, NEW_HOST), { timeout: 30_000 }).toBe('offline');
        await mutate(api, 'hosts.remove', { host: NEW_HOST });
      });
    });
  });
});
