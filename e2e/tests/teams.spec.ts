import { expect, test, type Page } from '@playwright/test';
import { changeHeaders, mutate, query, withAdminApi } from './api.ts';
import { HOST, hostStatus } from './fleet.ts';
import { signIn } from './sign-in.ts';

const TEAM = 'e2e-team-b';
const NEWCOMER = 'e2e-bea';
const VIEWER = 'e2e-vic';
const PASSWORD = 'a-long-e2e-password';
/** A service of the default team (no replicas: it needs no host), which team B must not see. */
const SERVICE = 'e2e-team-default-svc';

/** Removes what this spec makes (users, then the team), whatever state a failed run left. */
const cleanUp = () => withAdminApi(async (api) => {
  await mutate(api, 'services.remove', { name: SERVICE }).catch(() => undefined);
  for (const username of [NEWCOMER, VIEWER]) await mutate(api, 'users.remove', { username }).catch(() => undefined);
  await mutate(api, 'teams.remove', { team: TEAM }).catch(() => undefined);
});

/** Creates an invitation from the Teams page for `team` with `role`; returns the link shown. */
async function invite(page: Page, team: string, role: string): Promise<string> {
  await page.goto('/settings/teams');
  await page.getByRole('table', { name: 'Teams' }).getByRole('button', { name: team, exact: true }).click();
  const form = page.getByRole('form', { name: 'Invite to the team' });
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Create invitation' }).click();
  const link = (await page.getByRole('group', { name: 'Invitation link' }).locator('code').textContent())!;
  expect(link).toMatch(/\/invite\/bi_/);
  return link;
}

/** Accepts an invitation in a fresh browser (no session), creating `username`. */
async function acceptAsNewUser(page: Page, link: string, username: string): Promise<void> {
  await page.goto(link);
  const form = page.getByRole('form', { name: 'Accept the invitation' });
  await form.getByLabel('Choose a username').fill(username);
  await form.getByLabel('Choose a password').fill(PASSWORD);
  await form.getByLabel('Repeat the password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account and join' }).click();
  await expect(page).toHaveURL(/\/$/);
}

test.describe('accounts and teams', () => {
  test.beforeAll(cleanUp);
  test.afterAll(cleanUp);

  test('an admin makes a team and invites someone; the newcomer sees nothing of the default team; a viewer cannot run containers', async ({ page, browser }) => {
    test.setTimeout(180_000);
    // a container id of the default team's host, if it has any (else one that looks like one)
    const knownContainer = await withAdminApi(async (api) => {
      await expect.poll(() => hostStatus(api, HOST), { timeout: 60_000 }).toBe('online');
      const found = await query<{ rows: { id: string }[] }>(api, 'containers.search', { host: HOST, limit: 1 });
      return found.rows[0]?.id ?? 'f'.repeat(64);
    });
    await signIn(page);

    await test.step('the admin creates team B on the Teams page', async () => {
      await page.getByRole('link', { name: 'Settings' }).click();
      await expect(page).toHaveURL(/\/settings\/users$/);
      await page.screenshot({ path: 'e2e/screenshots/settings-users.png', fullPage: true });
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Teams' }).click();
      const form = page.getByRole('form', { name: 'Create a team' });
      await form.getByLabel('New team').fill(TEAM);
      await form.getByRole('button', { name: 'Create team' }).click();
      await expect(page.getByRole('status').filter({ hasText: `Team ${TEAM} created` })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Teams' }).getByRole('row').filter({ hasText: TEAM })).toContainText('0');
    });

    const link = await test.step('and an invitation to it, with a link to copy', () => invite(page, TEAM, 'operator'));
    await expect(page.getByRole('table', { name: `Invitations to ${TEAM}` }).getByRole('row').filter({ hasText: 'operator' })).toContainText('pending');
    await page.screenshot({ path: 'e2e/screenshots/settings-teams.png', fullPage: true });

    // once team B exists, the admin (a site admin, so in every team) names the team
    await withAdminApi((api) => mutate(api, 'services.create', { spec: { name: SERVICE, image: 'busybox', container: {}, mode: { mode: 'replicated', replicas: 0 } }, team: 'default' }));
    await page.goto('/services');
    await expect(page.getByRole('table', { name: 'Services' }).getByRole('row').filter({ hasText: SERVICE })).toContainText('default');

    await test.step('in a fresh browser the newcomer accepts it and sees no host, no container, no service of the default team', async () => {
      const ctx = await browser.newContext({ baseURL: process.env.BERTH_E2E_URL });
      const p = await ctx.newPage();
      try {
        await acceptAsNewUser(p, link, NEWCOMER);
        await expect(p.getByRole('banner')).toContainText(`${NEWCOMER} (operator of ${TEAM})`);
        await expect(p.getByRole('table', { name: 'Hosts' })).toContainText('No hosts yet');
        await expect(p.getByRole('link', { name: HOST, exact: true })).toHaveCount(0);
        await p.goto('/containers');
        await expect(p.getByRole('heading', { name: 'Containers' })).toBeVisible();
        await expect(p.getByRole('link', { name: /Run a container/ })).toHaveCount(0);
        await expect(p.getByRole('table').first()).not.toContainText(HOST);
        // a known URL of the default team's container: the host is unknown to this user
        await p.goto(`/hosts/${HOST}/containers/${knownContainer}`);
        await expect(p.getByRole('alert').filter({ hasText: `no host named ${HOST}` })).toBeVisible();
        // no service of the default team on /services, nor at its own address
        await p.goto('/services');
        await expect(p.getByRole('table', { name: 'Services' })).toContainText('No services yet');
        await expect(p.getByRole('table', { name: 'Services' })).not.toContainText(SERVICE);
        await p.goto(`/services/${SERVICE}`);
        await expect(p.getByText(`no such service: ${SERVICE}`)).toBeVisible();
        // the invitation cannot be used twice
        await p.goto(link);
        await expect(p.getByRole('alert').filter({ hasText: 'this invitation has been used already' })).toBeVisible();
      } finally {
        await ctx.close();
      }
    });

    await test.step('a viewer of the default team sees its host but no Run button, and the API refuses a run', async () => {
      const viewerLink = await invite(page, 'default', 'viewer');
      const ctx = await browser.newContext({ baseURL: process.env.BERTH_E2E_URL });
      const p = await ctx.newPage();
      try {
        await acceptAsNewUser(p, viewerLink, VIEWER);
        await expect(p.getByRole('link', { name: HOST, exact: true })).toBeVisible();
        await p.goto(`/hosts/${HOST}`);
        await expect(p.getByRole('heading', { name: HOST })).toBeVisible();
        await expect(p.getByText('team default')).toBeVisible();
        await expect(p.getByRole('link', { name: 'Run a container' })).toHaveCount(0);
        await p.goto('/containers');
        await expect(p.getByRole('heading', { name: 'Containers' })).toBeVisible();
        await expect(p.getByRole('link', { name: /Run a container/ })).toHaveCount(0);
        // the server refuses whatever the page shows (a request as the page would send it: same origin, CSRF token)
        const res = await p.request.post('/api/trpc/containers.create', { data: { json: { host: HOST, spec: { image: 'busybox', cmd: ['true'] }, start: true } }, headers: await changeHeaders(p.request) });
        expect(res.status()).toBe(403);
        expect(await res.text()).toContain(`creating a container needs the operator role; ${VIEWER} is viewer`);
      } finally {
        await ctx.close();
      }
    });

    await test.step('the admin makes a scoped API token on the Tokens page, shown once', async () => {
      await page.goto('/settings/tokens');
      const form = page.getByRole('form', { name: 'Create an API token' });
      await form.getByLabel('Token name').fill('e2e-read-only');
      await form.getByLabel('Scope').selectOption('viewer');
      await form.getByRole('button', { name: 'Create token' }).click();
      await expect(page.getByRole('group', { name: 'New token' })).toContainText(/berth_[A-Za-z0-9_-]+/);
      const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: 'e2e-read-only' });
      await expect(row).toContainText('viewer');
      await page.screenshot({ path: 'e2e/screenshots/settings-tokens.png', fullPage: true });
      await row.getByRole('button', { name: 'Revoke token e2e-read-only' }).click();
      await page.getByRole('group', { name: 'Revoke token e2e-read-only' }).getByRole('button', { name: 'Confirm revoke' }).click();
      await expect(row).toContainText('revoked');
    });
  });
});
